package io.multiscope.core.hardwareid;

import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What the registry keeps to check a device's proof, never a secret in clear: either the SHA-256 hash of a
 * per-device secret, or the device's public key. Immutable; equality compares the bytes (in constant time).
 */
public final class HardwareCredential {

    /** The two kinds of credential a manufacturer may supply. */
    public enum Kind {
        /** SHA-256 of a per-device secret; the device proves it with an HMAC keyed by that hash. */
        SECRET_HASH,
        /** A public key (EC, RSA or Ed25519); the device proves it with a signature. */
        PUBLIC_KEY
    }

    private static final String[] KEY_ALGORITHMS = {"EC", "RSA", "Ed25519"};

    private final Kind kind;
    private final byte[] bytes;
    private final PublicKey publicKey;

    private HardwareCredential(Kind kind, byte[] bytes, PublicKey publicKey) {
        this.kind = kind;
        this.bytes = bytes;
        this.publicKey = publicKey;
    }

    /** The hash of a secret: 32 bytes. */
    public static HardwareCredential secretHash(byte[] sha256) {
        Objects.requireNonNull(sha256, "sha256");
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 hash has 32 bytes, not " + sha256.length);
        }
        return new HardwareCredential(Kind.SECRET_HASH, sha256.clone(), null);
    }

    /** The hash of a secret as 64 hexadecimal digits. */
    public static HardwareCredential secretHashHex(String hex) {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != 64) {
            throw new IllegalArgumentException("a SHA-256 hash is 64 hexadecimal digits, not " + hex.length()
                    + " characters");
        }
        try {
            return secretHash(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secret hash is not hexadecimal");
        }
    }

    /** The hash a manufacturer lists for {@code secret}. */
    public static HardwareCredential ofSecret(byte[] secret) {
        return secretHash(sha256(secret));
    }

    /** A public key (EC, RSA or Ed25519). */
    public static HardwareCredential publicKey(PublicKey key) {
        Objects.requireNonNull(key, "key");
        String algorithm = algorithmOf(key);
        if (algorithm == null) {
            throw new IllegalArgumentException("public keys of type " + key.getAlgorithm()
                    + " are not supported; use EC, RSA or Ed25519");
        }
        return new HardwareCredential(Kind.PUBLIC_KEY, key.getEncoded(), key);
    }

    /** A public key as base64 of its X.509 {@code SubjectPublicKeyInfo} (the body of a PEM public key). */
    public static HardwareCredential publicKeyBase64(String base64) {
        byte[] der;
        try {
            der = java.util.Base64.getMimeDecoder().decode(Objects.requireNonNull(base64, "base64"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the public key is not valid base64");
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return publicKey(KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der)));
            } catch (InvalidKeySpecException | NoSuchAlgorithmException | IllegalArgumentException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("the public key is not an EC, RSA or Ed25519 SubjectPublicKeyInfo");
    }

    public Kind kind() {
        return kind;
    }

    /** The HMAC key of a {@link Kind#SECRET_HASH} credential (the hash itself). */
    byte[] hmacKey() {
        if (kind != Kind.SECRET_HASH) {
            throw new IllegalStateException("not a secret hash");
        }
        return bytes.clone();
    }

    /** The key of a {@link Kind#PUBLIC_KEY} credential. */
    public PublicKey key() {
        if (kind != Kind.PUBLIC_KEY) {
            throw new IllegalStateException("not a public key");
        }
        return publicKey;
    }

    /** The signature algorithm for this public key's proofs. */
    String signatureAlgorithm() {
        return algorithmOf(key());
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static String algorithmOf(PublicKey key) {
        return switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HardwareCredential other && kind == other.kind && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(bytes);
    }

    /** Says what kind it is, never the hash. */
    @Override
    public String toString() {
        return kind == Kind.SECRET_HASH ? "HardwareCredential[secret hash]"
                : "HardwareCredential[" + publicKey.getAlgorithm() + " public key]";
    }
}
