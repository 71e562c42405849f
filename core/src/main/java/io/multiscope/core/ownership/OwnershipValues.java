package io.multiscope.core.ownership;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The limits every ownership registry keeps to, checked where the values are built so that each store accepts and
 * returns exactly the same values.
 */
final class OwnershipValues {

    /** The longest DPS instance id ({@code DpsInstance}'s rule). */
    static final int MAX_INSTANCE_ID = 64;
    /** The longest actor or installer name. */
    static final int MAX_NAME = 256;

    private OwnershipValues() {
    }

    /** Instants are kept to the microsecond, the finest every supported database stores. */
    static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    static Optional<Instant> micros(Optional<Instant> instant) {
        return instant.map(OwnershipValues::micros);
    }

    static void requireInstanceId(String field, Optional<String> instanceId) {
        instanceId.ifPresent(id -> requireText(field, id, MAX_INSTANCE_ID));
    }

    static String requireText(String field, String value, int maxLength) {
        if (value.isEmpty() || value.length() > maxLength) {
            throw new IllegalArgumentException(field + " must be 1 to " + maxLength + " characters, was "
                    + value.length());
        }
        return value;
    }
}
