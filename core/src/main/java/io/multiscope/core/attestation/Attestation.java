package io.multiscope.core.attestation;

/**
 * Proves that a request comes from the device it names. Implementations are thread-safe and never change state:
 * {@link SymmetricKeyAttestation} (DPS-style SAS tokens), {@link X509Attestation} (client certificates), and
 * {@link Attestations#anyOf} to accept several kinds.
 */
public interface Attestation {

    /**
     * Checks the request's credential.
     *
     * @return who the device is, with its registration id normalised (lower case)
     * @throws AttestationException naming the device and what is wrong with its credential
     * @throws io.multiscope.core.InvalidRequestException of type {@code invalid-registration-id} if the registration id
     *     breaks the DPS rules (checked first: nothing can be attested for such an id)
     */
    AttestedIdentity verify(AttestationRequest request);

    /**
     * Whether the request carries the kind of credential this attestation checks (a certificate chain, an
     * {@code Authorization} header); {@link Attestations#anyOf} uses it to pick one. Says nothing about validity.
     */
    default boolean handles(AttestationRequest request) {
        return true;
    }

    /** What a device must present, for error messages: e.g. "a SAS token in the Authorization header". */
    default String expectedCredential() {
        return "a credential";
    }
}
