package io.multiscope.store.jdbc.internal;

import io.multiscope.core.InvalidRequestException;

/**
 * Refuses text the database would not store verbatim: longer than its column, or containing NUL (PostgreSQL
 * rejects it) or unpaired UTF-16 surrogates (drivers replace them). Checked before any write, so bad input changes
 * nothing and fails the same way on every database.
 */
public final class StorableText {

    private StorableText() {
    }

    /**
     * @param field the name used in the message, e.g. {@code tenant}
     * @param registrationId the device the value belongs to, or null
     * @return {@code value}
     */
    public static String require(String field, String value, int maxLength, String registrationId) {
        if (value == null) {
            return null;
        }
        if (value.length() > maxLength) {
            throw new InvalidRequestException("value-too-long", field + " is " + value.length()
                    + " characters long; the JDBC inventory stores at most " + maxLength, registrationId);
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '\u0000') {
                throw new InvalidRequestException("invalid-text", field + " contains a NUL character at position "
                        + i + ", which databases cannot store", registrationId);
            }
            if (Character.isSurrogate(ch)) {
                boolean paired = Character.isHighSurrogate(ch) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1));
                if (!paired) {
                    throw new InvalidRequestException("invalid-text", field + " contains an unpaired UTF-16 "
                            + "surrogate at position " + i + ", which is not valid Unicode text", registrationId);
                }
                i++;
            }
        }
        return value;
    }
}
