package io.multiscope.testkit.internal.dps;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/** Entity tags in the shapes DPS uses, and {@code If-Match} comparison. */
public final class Etags {

    private Etags() {
    }

    /** An enrollment etag: a quoted opaque string, e.g. {@code "2b0b6a1e-..."} with the quotes included. */
    public static String forEnrollment() {
        return "\"" + UUID.randomUUID() + "\"";
    }

    /** A registration-state etag: base64 of a quoted opaque string, as DPS returns them. */
    public static String forRegistration() {
        return Base64.getEncoder().encodeToString(("\"" + UUID.randomUUID() + "\"").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Whether an {@code If-Match} value allows writing over {@code currentEtag}. DPS compares the header verbatim
     * (quotes included); {@code *} matches any existing resource; no header matches anything.
     *
     * @param currentEtag {@code null} when the resource does not exist
     */
    public static boolean allows(String ifMatch, String currentEtag) {
        if (ifMatch == null || ifMatch.isEmpty()) {
            return true;
        }
        if (ifMatch.equals("*")) {
            return currentEtag != null;
        }
        return ifMatch.equals(currentEtag);
    }
}
