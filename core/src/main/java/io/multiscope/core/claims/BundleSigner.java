package io.multiscope.core.claims;

import java.util.Optional;

/**
 * Signs provisioning bundles. {@link BundleSigners} has the ready ones: HMAC-SHA256 from a device's symmetric key
 * (individual or derived from a group key) and JCA signatures with the server's private key, and
 * {@link BundleSigners#firstOf} to combine them for a fleet of both kinds.
 *
 * <p>Implementations are thread-safe. A signer that holds no key for a device returns empty; if no signer has one
 * the claim fails as a server error before the code is used, so the installer can try again once the configuration
 * is fixed.
 */
@FunctionalInterface
public interface BundleSigner {

    /**
     * @param registrationId the device, lower-cased
     * @param owner the device's owner (e.g. to pick that tenant's group key)
     * @param signedText the UTF-8 bytes to sign ({@link ProvisioningBundle#signedText()})
     * @return the signature, or empty if this signer has no key for the device
     */
    Optional<BundleSignature> sign(String registrationId, String owner, byte[] signedText);
}
