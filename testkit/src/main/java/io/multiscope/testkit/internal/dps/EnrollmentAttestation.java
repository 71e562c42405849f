package io.multiscope.testkit.internal.dps;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** How devices of an enrollment prove who they are. */
public sealed interface EnrollmentAttestation {

    /** The DPS wire name of the attestation type. */
    String type();

    /** Symmetric keys (base64); for a group they are the group keys devices' keys are derived from. */
    record SymmetricKeys(String primaryKey, String secondaryKey) implements EnrollmentAttestation {
        @Override
        public String type() {
            return "symmetricKey";
        }

        public List<String> keys() {
            List<String> keys = new ArrayList<>(2);
            keys.add(primaryKey);
            if (secondaryKey != null && !secondaryKey.isEmpty()) {
                keys.add(secondaryKey);
            }
            return keys;
        }
    }

    /**
     * X.509 certificates: the device's own leaf ({@code clientCertificates}, individual enrollments) or a CA that
     * signed it ({@code signingCertificates}, groups). PEM text is kept to echo back what the client sent.
     */
    record X509Certificates(boolean signing, X509Certificate primary, String primaryPem, X509Certificate secondary,
            String secondaryPem) implements EnrollmentAttestation {
        @Override
        public String type() {
            return "x509";
        }

        public List<X509Certificate> certificates() {
            return secondary == null ? List.of(primary) : List.of(primary, secondary);
        }
    }

    /** X.509 via CA certificates registered on the instance by name ({@code caReferences}). */
    record X509CaReferences(String primary, String secondary) implements EnrollmentAttestation {
        @Override
        public String type() {
            return "x509";
        }

        public List<String> names() {
            return secondary == null ? List.of(primary) : List.of(primary, secondary);
        }
    }

    /** TPM keys; stored and echoed, but devices cannot attest with them here. */
    record Tpm(String endorsementKey, String storageRootKey) implements EnrollmentAttestation {
        @Override
        public String type() {
            return "tpm";
        }
    }
}
