package io.multiscope.testkit.internal.dps;

import io.multiscope.core.attestation.SasToken;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Checks a device's credentials the way DPS does: a SAS token signed with the individual enrollment's key or with a
 * key derived from an enrollment group's key, or a TLS client certificate matching an individual enrollment's
 * certificate or chaining to a group's CA. An individual enrollment for the registration id wins over groups.
 */
final class DeviceAuthenticator {

    private DeviceAuthenticator() {
    }

    /**
     * @param registrationId from the request path, exactly as sent (keys are derived from it case-sensitively)
     * @throws DpsError 401 saying what did not check out
     */
    static AttestedDevice authenticate(InstanceRuntime instance, String registrationId,
            DeviceCredentials credentials) {
        Instant now = instance.clock().instant();
        Optional<String> sasToken = credentials.sasToken();
        if (sasToken.isPresent()) {
            return bySasToken(instance, registrationId, sasToken.get(), now);
        }
        List<X509Certificate> chain = credentials.clientChain();
        if (!chain.isEmpty()) {
            return byCertificate(instance, registrationId, chain, now);
        }
        throw DpsError.unauthorized("The request carries neither a SAS token (symmetric key) nor a TLS client "
                + "certificate (X.509).");
    }

    private static AttestedDevice bySasToken(InstanceRuntime instance, String registrationId, String header,
            Instant now) {
        SasToken token;
        try {
            token = SasToken.parse(header);
        } catch (IllegalArgumentException e) {
            throw DpsError.unauthorized("The SAS token is malformed: " + e.getMessage() + ".");
        }
        String resource = SasToken.deviceResource(instance.settings().idScope(), registrationId);
        if (!token.isFor(resource)) {
            throw DpsError.unauthorized("The SAS token is for '" + token.resource() + "', not '" + resource + "'.");
        }
        if (!token.expiresAt().isAfter(now)) {
            throw DpsError.unauthorized("The SAS token expired at " + token.expiresAt() + ".");
        }
        Optional<EnrollmentRecord> individual = instance.enrollments().get(registrationId);
        if (individual.isPresent()) {
            EnrollmentRecord enrollment = individual.get();
            if (!(enrollment.attestation() instanceof EnrollmentAttestation.SymmetricKeys keys)) {
                throw DpsError.unauthorized("The individual enrollment '" + enrollment.id() + "' uses "
                        + enrollment.attestation().type() + " attestation, not a symmetric key.");
            }
            for (String key : keys.keys()) {
                if (token.isSignedWith(key)) {
                    return new AttestedDevice(registrationId, enrollment, "symmetricKey");
                }
            }
            throw DpsError.unauthorized("The SAS token is not signed with a key of the individual enrollment '"
                    + enrollment.id() + "'.");
        }
        for (EnrollmentRecord group : instance.groups().values()) {
            if (group.attestation() instanceof EnrollmentAttestation.SymmetricKeys keys) {
                for (String groupKey : keys.keys()) {
                    if (token.isSignedWith(SasToken.deriveDeviceKey(groupKey, registrationId))) {
                        return new AttestedDevice(registrationId, group, "symmetricKey");
                    }
                }
            }
        }
        throw DpsError.unauthorized("No individual enrollment for '" + registrationId + "' and no symmetric-key "
                + "enrollment group whose derived key signed the SAS token.");
    }

    private static AttestedDevice byCertificate(InstanceRuntime instance, String registrationId,
            List<X509Certificate> chain, Instant now) {
        X509Certificate leaf = chain.get(0);
        String commonName = X509Chains.commonName(leaf).orElse("");
        if (!commonName.equalsIgnoreCase(registrationId)) {
            throw DpsError.unauthorized("The client certificate's common name '" + commonName
                    + "' is not the registration id '" + registrationId + "'.");
        }
        if (!X509Chains.isCurrent(leaf, now)) {
            throw DpsError.unauthorized("The client certificate for '" + registrationId + "' is not valid at " + now
                    + " (valid " + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant() + ").");
        }
        Optional<EnrollmentRecord> individual = instance.enrollments().get(registrationId);
        if (individual.isPresent()) {
            EnrollmentRecord enrollment = individual.get();
            if (enrollment.attestation() instanceof EnrollmentAttestation.X509Certificates certs
                    && certs.certificates().stream().anyMatch(c -> X509Chains.same(c, leaf))) {
                return new AttestedDevice(registrationId, enrollment, "x509");
            }
            throw DpsError.unauthorized("The client certificate is not the certificate of the individual enrollment '"
                    + enrollment.id() + "'.");
        }
        for (EnrollmentRecord group : instance.groups().values()) {
            if (group.attestation() instanceof EnrollmentAttestation.X509Certificates certs) {
                for (X509Certificate anchor : certs.certificates()) {
                    if (X509Chains.chainsTo(chain, anchor, now)) {
                        return new AttestedDevice(registrationId, group, "x509");
                    }
                }
            } else if (group.attestation() instanceof EnrollmentAttestation.X509CaReferences refs) {
                for (String name : refs.names()) {
                    Optional<X509Certificate> anchor = instance.verifiedCa(name);
                    if (anchor.isPresent() && X509Chains.chainsTo(chain, anchor.get(), now)) {
                        return new AttestedDevice(registrationId, group, "x509");
                    }
                }
            }
        }
        throw DpsError.unauthorized("No individual enrollment for '" + registrationId + "' and no X.509 enrollment "
                + "group whose certificate the client certificate chains to.");
    }
}
