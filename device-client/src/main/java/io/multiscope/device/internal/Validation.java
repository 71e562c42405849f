package io.multiscope.device.internal;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;

/** Checks of settings that are cheap to do before the first network call. */
public final class Validation {

    /** The longest registration id DPS accepts. */
    public static final int MAX_REGISTRATION_ID = 128;

    private static final Pattern ID_SCOPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");
    /** A host name or bracketed IPv6 literal, optionally with {@code :port}; no scheme, no path. */
    private static final Pattern ENDPOINT = Pattern.compile(
            "([A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*|\\[[0-9A-Fa-f:.]+\\])(:\\d{1,5})?");

    private Validation() {
    }

    /**
     * Why {@code id} is not a valid DPS registration id (1 to 128 characters from {@code [a-z0-9-._:]}, any case,
     * ending in a letter, digit or {@code -}), or null if it is.
     */
    public static String registrationIdProblem(String id) {
        if (id == null || id.isEmpty()) {
            return "the registration id is empty";
        }
        if (id.length() > MAX_REGISTRATION_ID) {
            return "the registration id is " + id.length() + " characters long; DPS allows at most "
                    + MAX_REGISTRATION_ID;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(alphanumeric(c) || c == '-' || c == '.' || c == '_' || c == ':')) {
                return "the registration id contains '" + (Character.isISOControl(c) || Character.isWhitespace(c)
                        ? String.format("\\u%04x", (int) c) : String.valueOf(c)) + "' at position " + i
                        + "; DPS allows only a-z, 0-9, '-', '.', '_' and ':'";
            }
        }
        char last = id.charAt(id.length() - 1);
        if (!(alphanumeric(last) || last == '-')) {
            return "the registration id ends with '" + last + "'; DPS requires a letter, a digit or '-' at the end";
        }
        return null;
    }

    /** Whether {@code endpoint} is a host name (or bracketed IPv6 literal), optionally {@code :port}. */
    public static boolean isEndpoint(String endpoint) {
        return endpoint != null && ENDPOINT.matcher(endpoint).matches();
    }

    /** Whether {@code idScope} looks like a DPS ID scope: letters, digits and '-', at most 64. */
    public static boolean isIdScope(String idScope) {
        return idScope != null && ID_SCOPE.matcher(idScope).matches();
    }

    /** @throws IllegalArgumentException if {@code id} is not a valid registration id */
    public static String requireRegistrationId(String id) {
        String problem = registrationIdProblem(id);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return id;
    }

    /**
     * @param what e.g. "device key", named in the error (the key itself never is)
     * @throws IllegalArgumentException if {@code keyBase64} is not base64 of at least 16 bytes
     */
    public static String requireKey(String keyBase64, String what) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(keyBase64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + what + " is not valid base64");
        }
        if (key.length < 16) {
            throw new IllegalArgumentException("the " + what + " is " + key.length
                    + " bytes long; symmetric keys must be at least 16 bytes (DPS generates 64)");
        }
        return keyBase64;
    }

    /** The common name of the certificate's subject, if it has exactly one. */
    public static Optional<String> commonName(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        for (String rdn : splitRdns(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253))) {
            if (rdn.regionMatches(true, 0, "CN=", 0, 3)) {
                names.add(unescape(rdn.substring(3)));
            }
        }
        return names.size() == 1 ? Optional.of(names.get(0)) : Optional.empty();
    }

    /** Splits an RFC 2253 name at unescaped commas (no javax.naming, which small runtimes may leave out). */
    private static List<String> splitRdns(String name) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean escaped = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (escaped) {
                current.append(c);
                escaped = false;
            } else if (c == '\\') {
                current.append(c);
                escaped = true;
            } else if (c == ',') {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        out.add(current.toString());
        return out;
    }

    private static String unescape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                c = value.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }

    private static boolean alphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
