package io.multiscope.core;

import java.util.Locale;

/**
 * DPS registration id rules: 1 to 128 characters from {@code [a-z0-9-._:]} (case-insensitive), ending in an
 * alphanumeric character or {@code -}.
 */
public final class RegistrationIds {

    /** The longest registration id DPS accepts. */
    public static final int MAX_LENGTH = 128;

    private RegistrationIds() {
    }

    /**
     * Returns the id lower-cased, the form Multiscope stores and compares (DPS treats ids case-insensitively).
     *
     * @throws InvalidRequestException of type {@code invalid-registration-id}, saying which rule the id breaks
     */
    public static String normalise(String registrationId) {
        String problem = problem(registrationId);
        if (problem != null) {
            throw new InvalidRequestException("invalid-registration-id", problem);
        }
        return registrationId.toLowerCase(Locale.ROOT);
    }

    /**
     * Returns {@code registrationId} if it is already in the stored form (valid and lower-cased); stores call this
     * so a caller that forgot to normalise learns it instead of creating a second record for the same device.
     *
     * @throws InvalidRequestException of type {@code invalid-registration-id} otherwise
     */
    public static String requireNormalised(String registrationId) {
        String normalised = normalise(registrationId);
        if (!normalised.equals(registrationId)) {
            throw new InvalidRequestException("invalid-registration-id",
                    "the store takes lower-cased registration ids; normalise '" + registrationId + "' first",
                    registrationId);
        }
        return registrationId;
    }

    /** Whether {@code registrationId} follows the DPS rules. */
    public static boolean isValid(String registrationId) {
        return problem(registrationId) == null;
    }

    /** Why {@code registrationId} breaks the DPS rules, or {@code null} if it does not. */
    public static String problem(String registrationId) {
        if (registrationId == null || registrationId.isEmpty()) {
            return "registration id is empty";
        }
        if (registrationId.length() > MAX_LENGTH) {
            return "registration id is " + registrationId.length() + " characters long; DPS allows at most "
                    + MAX_LENGTH;
        }
        for (int i = 0; i < registrationId.length(); i++) {
            char c = registrationId.charAt(i);
            if (!isAllowed(c)) {
                return "registration id contains '" + printable(c) + "' at position " + i
                        + "; DPS allows only a-z, 0-9, '-', '.', '_' and ':'";
            }
        }
        char last = registrationId.charAt(registrationId.length() - 1);
        if (!(isAlphanumeric(last) || last == '-')) {
            return "registration id ends with '" + last + "'; DPS requires it to end with a letter, a digit or '-'";
        }
        return null;
    }

    private static boolean isAllowed(char c) {
        return isAlphanumeric(c) || c == '-' || c == '.' || c == '_' || c == ':';
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static String printable(char c) {
        return Character.isISOControl(c) || Character.isWhitespace(c) ? String.format("\\u%04x", (int) c)
                : String.valueOf(c);
    }
}
