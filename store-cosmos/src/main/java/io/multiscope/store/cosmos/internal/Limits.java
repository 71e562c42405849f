package io.multiscope.store.cosmos.internal;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.RegistrationIds;
import java.util.Optional;

/**
 * Size limits checked before anything is sent to Cosmos DB, so oversize input fails with a clear message and changes
 * nothing (instead of a 413 or a bloated document that costs request units on every read).
 */
public final class Limits {

    /** Tenant names, region names, pools, tags, id scopes. */
    public static final int MAX_NAME = 256;
    /** Host names are at most 253 characters; an endpoint may add ":port". */
    public static final int MAX_HOST = 260;
    /** IoT Hub device ids are at most 128 characters. */
    public static final int MAX_DEVICE_ID = 128;
    public static final int MAX_TAGS = 64;
    /** Writer ids appear in document ids (at most 255 characters together with an instance id). */
    public static final int MAX_WRITER_ID = 64;

    private Limits() {
    }

    /** The registration id, if it is valid and lower-cased as the store contract requires. */
    public static String registrationId(String registrationId) {
        String normalised = RegistrationIds.normalise(registrationId);
        if (!normalised.equals(registrationId)) {
            throw new InvalidRequestException("invalid-registration-id",
                    "the store takes lower-cased registration ids; normalise '" + registrationId + "' first",
                    registrationId);
        }
        return registrationId;
    }

    public static void tenant(Optional<String> tenant, String registrationId) {
        tenant.ifPresent(t -> check("tenant", t, MAX_NAME, registrationId));
    }

    public static void hub(Optional<String> hub, String registrationId) {
        hub.ifPresent(h -> check("assigned hub", h, MAX_HOST, registrationId));
    }

    public static void deviceId(Optional<String> deviceId, String registrationId) {
        deviceId.ifPresent(d -> check("device id", d, MAX_DEVICE_ID, registrationId));
    }

    public static void instance(DpsInstance instance) {
        String what = "DPS instance '" + instance.id() + "': ";
        check(what + "idScope", instance.idScope(), MAX_NAME, null);
        check(what + "region", instance.region(), MAX_NAME, null);
        check(what + "globalEndpoint", instance.globalEndpoint(), MAX_HOST, null);
        instance.tenantPool().ifPresent(p -> check(what + "tenantPool", p, MAX_NAME, null));
        if (instance.tags().size() > MAX_TAGS) {
            throw new InvalidRequestException("attribute-too-long",
                    what + "has " + instance.tags().size() + " tags; the Cosmos store keeps at most " + MAX_TAGS);
        }
        instance.tags().forEach(t -> check(what + "tag", t, MAX_NAME, null));
    }

    public static String writerId(String writerId) {
        if (writerId == null || !writerId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_WRITER_ID - 1) + "}")) {
            throw new IllegalArgumentException("writerId must be 1-" + MAX_WRITER_ID
                    + " characters of letters, digits, '.', '_' or '-', starting with a letter or digit, and unique"
                    + " to one running store (e.g. '<region>-<host>'); was '" + writerId + "'");
        }
        return writerId;
    }

    private static void check(String what, String value, int max, String registrationId) {
        if (value.length() > max) {
            throw new InvalidRequestException("attribute-too-long", what + " is " + value.length()
                    + " characters long; the Cosmos store accepts at most " + max, registrationId);
        }
    }
}
