package io.multiscope.core.claims;

import java.util.Objects;

/**
 * A bundle's signature and the algorithm that made it.
 *
 * @param alg {@link #HMAC_SHA256}, {@link #SHA256_WITH_ECDSA}, {@link #SHA256_WITH_RSA} (what devices understand), or
 *     another name a custom device verifies
 * @param signature the signature bytes, standard base64
 */
public record BundleSignature(String alg, String signature) {

    /** HMAC-SHA256 with a key derived from the device's symmetric key. */
    public static final String HMAC_SHA256 = "HMAC-SHA256";
    /** ECDSA over SHA-256 with the server's EC private key (DER-encoded signature, as the JCA makes it). */
    public static final String SHA256_WITH_ECDSA = "SHA256withECDSA";
    /** RSASSA-PKCS1-v1_5 over SHA-256 with the server's RSA private key. */
    public static final String SHA256_WITH_RSA = "SHA256withRSA";

    public BundleSignature {
        Objects.requireNonNull(alg, "alg");
        Objects.requireNonNull(signature, "signature");
        if (alg.isBlank() || signature.isBlank()) {
            throw new IllegalArgumentException("alg and signature must not be blank");
        }
    }
}
