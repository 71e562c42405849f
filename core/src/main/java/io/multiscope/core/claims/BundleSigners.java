package io.multiscope.core.claims;

import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.internal.SymmetricKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ready {@link BundleSigner}s.
 *
 * <p><b>Symmetric-key devices</b> ({@value BundleSignature#HMAC_SHA256}): the bundle key is
 * {@code HMAC-SHA256(key: the device's symmetric key (base64-decoded), message: UTF-8 "multiscope-bundle")} and the
 * signature {@code HMAC-SHA256(bundle key, signed text)}. The device holds its key already, so nothing new has to be
 * provisioned on it; the derivation keeps the bundle key apart from the key the device signs SAS tokens with. A
 * group-enrolled device's key is derived from the group key exactly as DPS derives it
 * ({@link SasToken#deriveDeviceKey}), from the lower-case registration id Multiscope stores: devices of such groups
 * should use lower-case registration ids (the proxy, pattern 2, registers them that way too).
 *
 * <p><b>X.509 devices</b> have no shared secret: {@link #privateKey} signs with the server's EC or RSA private key,
 * and devices are configured with the matching public key.
 */
public final class BundleSigners {

    private static final byte[] BUNDLE_KEY_LABEL = "multiscope-bundle".getBytes(StandardCharsets.UTF_8);

    private BundleSigners() {
    }

    /** HMAC-SHA256 for every device, with its key derived from one group key (base64, at least 16 bytes). */
    public static BundleSigner groupKey(String groupKeyBase64) {
        SymmetricKeys.check(groupKeyBase64, "the group key");
        return new GroupKeySigner(Map.of(), groupKeyBase64);
    }

    /**
     * HMAC-SHA256 with the key derived from the group key of the device's owner; devices of owners not in the map
     * are left to another signer.
     *
     * @param groupKeyByOwner base64 group keys (at least 16 bytes) by owner id
     */
    public static BundleSigner tenantGroupKeys(Map<String, String> groupKeyByOwner) {
        Objects.requireNonNull(groupKeyByOwner, "groupKeyByOwner");
        if (groupKeyByOwner.isEmpty()) {
            throw new IllegalArgumentException("tenantGroupKeys needs at least one owner's group key");
        }
        Map<String, String> keys = new LinkedHashMap<>();
        groupKeyByOwner.forEach((owner, key) -> {
            SymmetricKeys.check(key, "the group key of owner '" + owner + "'");
            keys.put(owner, key);
        });
        return new GroupKeySigner(Map.copyOf(keys), null);
    }

    /**
     * HMAC-SHA256 with each device's individual symmetric key.
     *
     * @param deviceKeyBase64 the device's key (base64) by lower-case registration id, empty for a device without one
     *     (left to another signer); called once per claim
     */
    public static BundleSigner deviceKeys(Function<String, Optional<String>> deviceKeyBase64) {
        Objects.requireNonNull(deviceKeyBase64, "deviceKeyBase64");
        return (registrationId, owner, text) -> {
            Optional<String> key = deviceKeyBase64.apply(registrationId);
            if (key == null) {
                throw new NullPointerException("the device key resolver returned null for '" + registrationId
                        + "'; it must return Optional.empty() for a device without a key");
            }
            return key.map(k -> hmac(decode(k, "the key of device '" + registrationId + "'"), text));
        };
    }

    /**
     * A JCA signature with the server's private key, for every device: {@value BundleSignature#SHA256_WITH_ECDSA} for
     * an EC key, {@value BundleSignature#SHA256_WITH_RSA} for an RSA key (at least 2048 bits).
     *
     * @throws IllegalArgumentException for another kind of key, or a short RSA key
     */
    public static BundleSigner privateKey(PrivateKey key) {
        Objects.requireNonNull(key, "key");
        String alg = switch (key.getAlgorithm()) {
            case "EC" -> BundleSignature.SHA256_WITH_ECDSA;
            case "RSA" -> BundleSignature.SHA256_WITH_RSA;
            default -> throw new IllegalArgumentException("bundles are signed with an EC or RSA private key, not "
                    + key.getAlgorithm());
        };
        if (key instanceof java.security.interfaces.RSAKey rsa && rsa.getModulus().bitLength() < 2048) {
            throw new IllegalArgumentException("an RSA bundle key needs at least 2048 bits, this one has "
                    + rsa.getModulus().bitLength());
        }
        try {
            Signature probe = Signature.getInstance(alg);
            probe.initSign(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the private key cannot make " + alg + " signatures: "
                    + e.getMessage(), e);
        }
        return (registrationId, owner, text) -> {
            try {
                Signature signature = Signature.getInstance(alg);
                signature.initSign(key);
                signature.update(text);
                return Optional.of(new BundleSignature(alg, Base64.getEncoder().encodeToString(signature.sign())));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("signing the bundle of device '" + registrationId + "' failed", e);
            }
        };
    }

    /**
     * The first of {@code signers} that has a key for the device signs, e.g.
     * {@code firstOf(deviceKeys(keys::find), privateKey(serverKey))} for a fleet of symmetric-key and X.509 devices.
     */
    public static BundleSigner firstOf(BundleSigner... signers) {
        List<BundleSigner> all = List.of(signers);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("firstOf needs at least one signer");
        }
        return (registrationId, owner, text) -> {
            for (BundleSigner signer : all) {
                Optional<BundleSignature> signature = signer.sign(registrationId, owner, text);
                if (signature.isPresent()) {
                    return signature;
                }
            }
            return Optional.empty();
        };
    }

    /** Group keys by owner, or one for everyone ({@code fallback}). */
    private record GroupKeySigner(Map<String, String> byOwner, String fallback) implements BundleSigner {

        @Override
        public Optional<BundleSignature> sign(String registrationId, String owner, byte[] text) {
            String groupKey = byOwner.getOrDefault(owner, fallback);
            if (groupKey == null) {
                return Optional.empty();
            }
            byte[] deviceKey = Base64.getDecoder().decode(SasToken.deriveDeviceKey(groupKey, registrationId));
            return Optional.of(hmac(deviceKey, text));
        }

        @Override
        public String toString() {
            return "GroupKeySigner[owners=" + byOwner.keySet() + ", forEveryone=" + (fallback != null) + "]";
        }
    }

    private static BundleSignature hmac(byte[] deviceKey, byte[] text) {
        byte[] bundleKey = hmacSha256(deviceKey, BUNDLE_KEY_LABEL);
        return new BundleSignature(BundleSignature.HMAC_SHA256,
                Base64.getEncoder().encodeToString(hmacSha256(bundleKey, text)));
    }

    private static byte[] hmacSha256(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] decode(String keyBase64, String what) {
        try {
            return Base64.getDecoder().decode(keyBase64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(what + " is not valid base64");
        }
    }
}
