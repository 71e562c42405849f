package io.multiscope.core.hardwareid;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A device's short-lived proof that it holds the secret (or private key) behind its listed hardware id, sent as
 * {@code Authorization: HardwareId id=<hardwareId>&se=<expiry, epoch seconds>&sig=<signature>}.
 *
 * <p>The signed text is {@code multiscope-hardware-id\n<hardwareId, lower case>\n<se>}: binding the id and the expiry,
 * so a proof cannot be used for another device or after it expires. With a secret the signature is
 * {@code base64(HMAC-SHA256(SHA-256(secret), text))} (the registry holds only that hash; the secret itself is never
 * sent nor stored); with a key pair it is the key's signature over the text (SHA256withECDSA, SHA256withRSA or
 * Ed25519), and the registry holds only the public key.
 *
 * <p>The static methods are what device firmware (or a test) uses to make a proof; {@link #parse} and
 * {@link #verify} are the server side.
 */
public final class HardwareIdProof {

    /** The {@code Authorization} scheme. */
    public static final String SCHEME = "HardwareId";
    private static final String CONTEXT = "multiscope-hardware-id\n";

    private final String hardwareId;
    private final long expiresAtEpochSecond;
    private final byte[] signature;

    private HardwareIdProof(String hardwareId, long expiresAtEpochSecond, byte[] signature) {
        this.hardwareId = hardwareId;
        this.expiresAtEpochSecond = expiresAtEpochSecond;
        this.signature = signature;
    }

    /** A proof made with the device's secret, valid until {@code expiresAt}. */
    public static String withSecret(String hardwareId, byte[] secret, Instant expiresAt) {
        long se = expiresAt.getEpochSecond();
        byte[] sig = hmac(HardwareCredential.sha256(secret), text(hardwareId, se));
        return header(hardwareId, se, sig);
    }

    /** A proof signed with the device's private key, valid until {@code expiresAt}. */
    public static String withKey(String hardwareId, PrivateKey key, Instant expiresAt) {
        long se = expiresAt.getEpochSecond();
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new IllegalArgumentException("keys of type " + key.getAlgorithm() + " are not supported");
        };
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(text(hardwareId, se));
            return header(hardwareId, se, s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    /**
     * Parses an {@code Authorization} value.
     *
     * @throws IllegalArgumentException if it is not a well-formed proof (the message never repeats the signature)
     */
    public static HardwareIdProof parse(String authorization) {
        Objects.requireNonNull(authorization, "authorization");
        String value = authorization.strip();
        if (!value.regionMatches(true, 0, SCHEME + " ", 0, SCHEME.length() + 1)) {
            throw new IllegalArgumentException("not a " + SCHEME + " proof");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : value.substring(SCHEME.length() + 1).strip().split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || fields.put(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("malformed or repeated field");
            }
        }
        String id = fields.get("id");
        String se = fields.get("se");
        String sig = fields.get("sig");
        if (id == null || se == null || sig == null || id.isEmpty() || sig.isEmpty()) {
            throw new IllegalArgumentException("a proof needs the fields id, se and sig");
        }
        try {
            return new HardwareIdProof(URLDecoder.decode(id, StandardCharsets.UTF_8), Long.parseLong(se),
                    Base64.getDecoder().decode(URLDecoder.decode(sig, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("se must be a number and sig base64");
        }
    }

    /** The id the proof is for, as written. */
    public String hardwareId() {
        return hardwareId;
    }

    public Instant expiresAt() {
        return Instant.ofEpochSecond(expiresAtEpochSecond);
    }

    /** Whether the signature was made with the secret or key behind {@code credential}; constant time for HMACs. */
    public boolean verify(HardwareCredential credential) {
        byte[] text = text(hardwareId, expiresAtEpochSecond);
        if (credential.kind() == HardwareCredential.Kind.SECRET_HASH) {
            return MessageDigest.isEqual(signature, hmac(credential.hmacKey(), text));
        }
        try {
            Signature s = Signature.getInstance(credential.signatureAlgorithm());
            s.initVerify(credential.key());
            s.update(text);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // a malformed signature is a wrong one
        }
    }

    private static byte[] text(String hardwareId, long se) {
        return (CONTEXT + hardwareId.toLowerCase(Locale.ROOT) + "\n" + se).getBytes(StandardCharsets.UTF_8);
    }

    private static String header(String hardwareId, long se, byte[] sig) {
        return SCHEME + " id=" + URLEncoder.encode(hardwareId, StandardCharsets.UTF_8) + "&se=" + se + "&sig="
                + URLEncoder.encode(Base64.getEncoder().encodeToString(sig), StandardCharsets.UTF_8);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "HardwareIdProof[id=" + hardwareId + ", se=" + expiresAtEpochSecond + "]";
    }
}
