package io.multiscope.testkit.internal.dps;

import java.util.regex.Pattern;

/**
 * The {@code api-version} check. The emulator serves the 2019-03-31 schema (what the Java SDKs send) whatever the
 * version; it accepts any well-formed DPS API version from DPS's general availability (2017-11-15) on, and rejects a
 * missing or malformed one as DPS does.
 */
final class ApiVersions {

    /** The version the Java SDKs send and the emulator implements. */
    static final String IMPLEMENTED = "2019-03-31";

    private static final String FIRST = "2017-11-15";
    private static final Pattern SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(-preview)?");

    private ApiVersions() {
    }

    /** @throws DpsError 400 when the request's api-version is missing or not a DPS API version */
    static void check(DpsExchange exchange) {
        String version = exchange.queryParameter("api-version").orElse(null);
        if (version == null || version.isEmpty()) {
            throw DpsError.of(400, DpsError.BAD_API_VERSION,
                    "The api-version query parameter is missing; use api-version=" + IMPLEMENTED + ".");
        }
        if (!SHAPE.matcher(version).matches() || version.substring(0, 10).compareTo(FIRST) < 0) {
            throw DpsError.of(400, DpsError.BAD_API_VERSION, "The api-version '" + version
                    + "' is not supported; use api-version=" + IMPLEMENTED + ".");
        }
    }
}
