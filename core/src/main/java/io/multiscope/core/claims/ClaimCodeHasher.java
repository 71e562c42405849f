package io.multiscope.core.claims;

import io.multiscope.core.internal.Untrusted;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a claim code into what the ownership registry stores, and checks a typed code against it.
 *
 * <p>The stored form is {@code v1$<pepperId>$<salt>$<mac>}: {@code mac} is HMAC-SHA256 keyed with a server-side
 * secret, the <i>pepper</i>, over a fresh 16-byte random salt, the device's registration id and the code's canonical
 * form ({@link ClaimCodes#normalise}); salt and mac are unpadded base64url. So:
 * <ul>
 *   <li>a copy of the database alone is no help in finding codes: without the pepper not a single guess can be
 *       checked (keep the pepper in a secret store, not in the database);</li>
 *   <li>equal codes give different hashes (the salt), and a hash moved to another device's record matches nothing
 *       (the registration id);</li>
 *   <li>the pepper can be rotated: hashes name the pepper they were made with, new hashes use the current one, and
 *       retired peppers stay configured for verifying until their codes are used or expired;</li>
 *   <li>the leading {@code v1} leaves room for another scheme later.</li>
 * </ul>
 * Codes are compared in constant time. A stored value that is malformed, of an unknown version or made with a pepper
 * not configured matches nothing (and is logged, as it means a configuration or data problem).
 *
 * <p>Thread-safe and immutable.
 */
public final class ClaimCodeHasher {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimCodeHasher.class);
    private static final String VERSION = "v1";
    private static final String HMAC = "HmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int MAC_BYTES = 32;
    /** The shortest pepper accepted. */
    public static final int MIN_PEPPER_BYTES = 32;
    private static final Pattern PEPPER_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final String currentId;
    private final Map<String, SecretKeySpec> peppers;
    private final SecureRandom random;

    private ClaimCodeHasher(Builder b) {
        this.currentId = b.currentId;
        this.peppers = Map.copyOf(b.peppers);
        this.random = b.random;
    }

    /**
     * A hasher with one pepper.
     *
     * @param pepperId a name for the pepper, stored in every hash (1 to 32 of A-Z a-z 0-9 _ -), e.g. {@code 2026-01}
     * @param pepper at least {@value #MIN_PEPPER_BYTES} random bytes, kept secret (copied)
     */
    public static ClaimCodeHasher withPepper(String pepperId, byte[] pepper) {
        return builder(pepperId, pepper).build();
    }

    /** A builder whose current pepper (the one new hashes use) is {@code pepper}. */
    public static Builder builder(String pepperId, byte[] pepper) {
        return new Builder(pepperId, pepper);
    }

    /**
     * The stored form of {@code code} for device {@code registrationId}.
     *
     * @param registrationId the device's normalised (lower-case) registration id
     * @param code the code as typed or printed (normalised here)
     * @throws io.multiscope.core.InvalidRequestException if the code is not well-formed
     */
    public String hash(String registrationId, String code) {
        Objects.requireNonNull(registrationId, "registrationId");
        String canonical = ClaimCodes.normalise(code);
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return VERSION + "$" + currentId + "$" + ENCODER.encodeToString(salt) + "$"
                + ENCODER.encodeToString(mac(peppers.get(currentId), salt, registrationId, canonical));
    }

    /**
     * Whether {@code code} is the code {@code storedHash} was made from for this device; constant time in the code.
     *
     * @param code a canonical code ({@link ClaimCodes#normalise}) or as typed; a malformed one matches nothing
     */
    public boolean matches(String registrationId, String code, String storedHash) {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(storedHash, "storedHash");
        if (!ClaimCodes.isWellFormed(code)) {
            return false;
        }
        String[] parts = storedHash.split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(VERSION)) {
            LOG.warn("The claim code hash of device {} is not a {} hash; it matches no code", registrationId,
                    VERSION);
            return false;
        }
        SecretKeySpec pepper = peppers.get(parts[1]);
        if (pepper == null) {
            LOG.warn("The claim code hash of device {} was made with pepper {}, which is not configured; it matches "
                    + "no code", registrationId, Untrusted.quote(parts[1]));
            return false;
        }
        byte[] salt;
        byte[] expected;
        try {
            salt = Base64.getUrlDecoder().decode(parts[2]);
            expected = Base64.getUrlDecoder().decode(parts[3]);
        } catch (IllegalArgumentException e) {
            LOG.warn("The claim code hash of device {} is malformed; it matches no code", registrationId);
            return false;
        }
        if (salt.length != SALT_BYTES || expected.length != MAC_BYTES) {
            LOG.warn("The claim code hash of device {} is malformed; it matches no code", registrationId);
            return false;
        }
        return MessageDigest.isEqual(expected, mac(pepper, salt, registrationId, ClaimCodes.normalise(code)));
    }

    /** The id of the pepper new hashes are made with. */
    public String currentPepperId() {
        return currentId;
    }

    /** Names the peppers, never their bytes. */
    @Override
    public String toString() {
        return "ClaimCodeHasher[" + VERSION + ", current pepper " + currentId + ", peppers " + peppers.keySet() + "]";
    }

    private static byte[] mac(SecretKeySpec pepper, byte[] salt, String registrationId, String canonicalCode) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(pepper);
            mac.update(salt);
            mac.update(registrationId.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '\n');
            return mac.doFinal(canonicalCode.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Configures a {@link ClaimCodeHasher}. */
    public static final class Builder {
        private final String currentId;
        private final Map<String, SecretKeySpec> peppers = new LinkedHashMap<>();
        private SecureRandom random = new SecureRandom();

        private Builder(String pepperId, byte[] pepper) {
            this.currentId = id(pepperId);
            peppers.put(currentId, pepper(pepper, currentId));
        }

        /** A previous pepper: hashes made with it still verify; new hashes never use it. */
        public Builder retiredPepper(String pepperId, byte[] pepper) {
            String id = id(pepperId);
            if (peppers.containsKey(id)) {
                throw new IllegalArgumentException("pepper '" + id + "' is configured twice");
            }
            peppers.put(id, pepper(pepper, id));
            return this;
        }

        /** Where salts come from. */
        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public ClaimCodeHasher build() {
            return new ClaimCodeHasher(this);
        }

        private static String id(String pepperId) {
            Objects.requireNonNull(pepperId, "pepperId");
            if (!PEPPER_ID.matcher(pepperId).matches()) {
                throw new IllegalArgumentException("a pepper id must be 1 to 32 of A-Z a-z 0-9 _ -, was '" + pepperId
                        + "'");
            }
            return pepperId;
        }

        private static SecretKeySpec pepper(byte[] pepper, String id) {
            Objects.requireNonNull(pepper, "pepper");
            if (pepper.length < MIN_PEPPER_BYTES) {
                throw new IllegalArgumentException("pepper '" + id + "' is " + pepper.length + " bytes long; at least "
                        + MIN_PEPPER_BYTES + " random bytes are required");
            }
            return new SecretKeySpec(pepper.clone(), HMAC);
        }
    }
}
