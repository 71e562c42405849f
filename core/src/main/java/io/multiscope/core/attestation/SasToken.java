package io.multiscope.core.attestation;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A DPS-style shared access signature: {@code SharedAccessSignature sr=..&sig=..&se=..&skn=..}.
 *
 * <p>Parsing and verification follow what DPS accepts: the Java SDK signs the raw resource
 * ({@code {idScope}/registrations/{id}}), other SDKs sign its URL-encoded form, and {@code skn} is empty or
 * {@code registration}. Signatures are compared in constant time.
 */
public final class SasToken {

    private static final String PREFIX = "SharedAccessSignature ";

    private final String rawResource;
    private final String resource;
    private final String signature;
    private final long expiresAtEpochSecond;
    private final String keyName;

    private SasToken(String rawResource, String signature, long expiresAtEpochSecond, String keyName) {
        this.rawResource = rawResource;
        this.resource = URLDecoder.decode(rawResource, StandardCharsets.UTF_8);
        this.signature = signature;
        this.expiresAtEpochSecond = expiresAtEpochSecond;
        this.keyName = keyName;
    }

    /**
     * Parses a token as found in an {@code Authorization} header (with or without the
     * {@code SharedAccessSignature } prefix).
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static SasToken parse(String token) {
        Objects.requireNonNull(token, "token");
        String body = token.strip();
        if (body.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            body = body.substring(PREFIX.length()).strip();
        }
        if (body.isEmpty()) {
            throw new IllegalArgumentException("SAS token is empty");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("SAS token field without a name or value: '" + abbreviate(pair) + "'");
            }
            String name = pair.substring(0, eq).strip();
            if (fields.put(name, pair.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("SAS token repeats field '" + name + "'");
            }
        }
        for (String required : List.of("sr", "sig", "se")) {
            if (!fields.containsKey(required) || fields.get(required).isEmpty()) {
                throw new IllegalArgumentException("SAS token lacks field '" + required + "'");
            }
        }
        long se;
        try {
            se = Long.parseLong(fields.get("se"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SAS token expiry 'se' is not a number: '" + abbreviate(fields.get("se")) + "'");
        }
        return new SasToken(fields.get("sr"), URLDecoder.decode(fields.get("sig"), StandardCharsets.UTF_8), se,
                fields.getOrDefault("skn", ""));
    }

    /**
     * Creates a device token as the Azure Java device SDK does: the raw resource signed, {@code skn} empty.
     *
     * @param resource {@code {idScope}/registrations/{registrationId}}
     * @param deviceKeyBase64 the device's symmetric key
     */
    public static String forDevice(String resource, String deviceKeyBase64, Instant expiresAt) {
        long se = expiresAt.getEpochSecond();
        String sig = sign(Base64.getDecoder().decode(deviceKeyBase64), resource + "\n" + se);
        return PREFIX + "sr=" + resource + "&sig=" + URLEncoder.encode(sig, StandardCharsets.UTF_8) + "&se=" + se
                + "&skn=";
    }

    /** The DPS resource a device signs: {@code {idScope}/registrations/{registrationId}}. */
    public static String deviceResource(String idScope, String registrationId) {
        return idScope + "/registrations/" + registrationId;
    }

    /**
     * A device key derived from an enrollment group key, exactly as DPS and the Azure SDKs derive it:
     * {@code base64(HMAC-SHA256(base64decode(groupKey), utf8(registrationId)))}.
     */
    public static String deriveDeviceKey(String groupKeyBase64, String registrationId) {
        return sign(Base64.getDecoder().decode(groupKeyBase64), registrationId);
    }

    /** {@code base64(HMAC-SHA256(key, utf8(data)))}. */
    public static String sign(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The decoded resource ({@code sr}). */
    public String resource() {
        return resource;
    }

    public Instant expiresAt() {
        return Instant.ofEpochSecond(expiresAtEpochSecond);
    }

    /** The key name ({@code skn}); empty for the Java device SDK. */
    public Optional<String> keyName() {
        return keyName.isEmpty() ? Optional.empty() : Optional.of(keyName);
    }

    /** Whether the decoded resource equals {@code expected}, ignoring case as DPS does. */
    public boolean isFor(String expectedResource) {
        return resource.equalsIgnoreCase(expectedResource);
    }

    /**
     * Whether the signature was made with {@code keyBase64} over this token's resource and expiry, in any of the
     * signing forms DPS accepts. Constant-time per comparison. Does not check expiry or resource.
     */
    public boolean isSignedWith(String keyBase64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(keyBase64);
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] actual = signature.getBytes(StandardCharsets.UTF_8);
        String se = "\n" + expiresAtEpochSecond;
        boolean ok = false;
        // Evaluate every form so the time taken does not reveal which one matched.
        for (String signed : new String[] {rawResource, resource, URLEncoder.encode(resource, StandardCharsets.UTF_8)}) {
            ok |= MessageDigest.isEqual(actual, sign(key, signed + se).getBytes(StandardCharsets.UTF_8));
        }
        return ok;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    @Override
    public String toString() {
        return "SasToken[sr=" + resource + ", se=" + expiresAtEpochSecond + "]";
    }
}
