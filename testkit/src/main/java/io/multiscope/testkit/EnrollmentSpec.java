package io.multiscope.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.testkit.internal.certs.Pem;
import io.multiscope.testkit.internal.dps.DpsJson;
import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * An individual enrollment or enrollment group to create directly in an emulated instance, without going through
 * the service API. It is turned into the same JSON the service API takes and validated the same way.
 *
 * <pre>{@code
 * dps.instance("dps-eu-1").putEnrollment(EnrollmentSpec.group("factory-a")
 *         .symmetricKey(groupKey)
 *         .customAllocation(URI.create("http://localhost:7071/api/allocate"))
 *         .reprovision(ReprovisionPolicy.REPROVISION_AND_RESET)
 *         .build());
 * }</pre>
 */
public final class EnrollmentSpec {

    private final boolean group;
    private final String id;
    private final ObjectNode json;

    private EnrollmentSpec(Builder b) {
        this.group = b.group;
        this.id = b.id;
        this.json = b.json.deepCopy();
    }

    /** An individual enrollment; attestation defaults to symmetric keys the emulator generates. */
    public static Builder individual(String registrationId) {
        return new Builder(false, registrationId);
    }

    /** An enrollment group; attestation defaults to symmetric keys the emulator generates. */
    public static Builder group(String enrollmentGroupId) {
        return new Builder(true, enrollmentGroupId);
    }

    public boolean isGroup() {
        return group;
    }

    /** The registration id or enrollment group id. */
    public String id() {
        return id;
    }

    /** The enrollment as service API JSON. */
    public JsonNode toJson() {
        return json.deepCopy();
    }

    @Override
    public String toString() {
        return (group ? "EnrollmentSpec[group " : "EnrollmentSpec[individual ") + id + "]";
    }

    /** Builds an {@link EnrollmentSpec}; unset fields get DPS's defaults. */
    public static final class Builder {

        private final boolean group;
        private final String id;
        private final ObjectNode json = DpsJson.object();

        private Builder(boolean group, String id) {
            this.group = group;
            this.id = Objects.requireNonNull(id, "id");
            json.put(group ? "enrollmentGroupId" : "registrationId", id);
            symmetricKey(null, null);
        }

        /** Symmetric-key attestation; {@code null} or empty keys are generated. */
        public Builder symmetricKey(String primaryKey, String secondaryKey) {
            ObjectNode attestation = json.putObject("attestation");
            attestation.put("type", "symmetricKey");
            ObjectNode keys = attestation.putObject("symmetricKey");
            keys.put("primaryKey", primaryKey == null ? "" : primaryKey);
            keys.put("secondaryKey", secondaryKey == null ? "" : secondaryKey);
            return this;
        }

        /** Symmetric-key attestation with this primary key and a generated secondary key. */
        public Builder symmetricKey(String primaryKey) {
            return symmetricKey(Objects.requireNonNull(primaryKey, "primaryKey"), null);
        }

        /**
         * X.509 attestation: for an individual enrollment the device's own certificate, for a group the CA
         * certificate (root or intermediate) that signed the devices' certificates.
         */
        public Builder x509(X509Certificate primary) {
            return x509(primary, null);
        }

        public Builder x509(X509Certificate primary, X509Certificate secondary) {
            Objects.requireNonNull(primary, "primary");
            ObjectNode attestation = json.putObject("attestation");
            attestation.put("type", "x509");
            ObjectNode certs = attestation.putObject("x509").putObject(group ? "signingCertificates"
                    : "clientCertificates");
            certs.putObject("primary").put("certificate", Pem.encode(primary));
            if (secondary != null) {
                certs.putObject("secondary").put("certificate", Pem.encode(secondary));
            }
            return this;
        }

        /** X.509 attestation of a group through a CA registered with {@link EmulatedDpsInstance#addVerifiedCa}. */
        public Builder x509CaReference(String caName) {
            Objects.requireNonNull(caName, "caName");
            ObjectNode attestation = json.putObject("attestation");
            attestation.put("type", "x509");
            attestation.putObject("x509").putObject("caReferences").put("primary", caName);
            return this;
        }

        /** The device id to create in the hub (individual enrollments only). Default: the registration id. */
        public Builder deviceId(String deviceId) {
            json.put("deviceId", Objects.requireNonNull(deviceId, "deviceId"));
            return this;
        }

        /** The allocation policy. Default: the instance's. */
        public Builder allocation(AllocationPolicy policy) {
            json.put("allocationPolicy", Objects.requireNonNull(policy, "policy").wireName());
            return this;
        }

        /** The hubs allocation may choose from. Default: all hubs linked to the instance. */
        public Builder hubs(String... hostNames) {
            ArrayNode hubs = json.putArray("iotHubs");
            for (String hub : hostNames) {
                hubs.add(Objects.requireNonNull(hub, "hub"));
            }
            return this;
        }

        /** Static allocation to {@code hostName}. */
        public Builder staticHub(String hostName) {
            allocation(AllocationPolicy.STATIC);
            return hubs(hostName);
        }

        /** Custom allocation through a webhook that receives DPS's {@code AllocationRequest}. */
        public Builder customAllocation(URI webhookUrl) {
            allocation(AllocationPolicy.CUSTOM);
            ObjectNode custom = json.putObject("customAllocationDefinition");
            custom.put("webhookUrl", Objects.requireNonNull(webhookUrl, "webhookUrl").toString());
            custom.put("apiVersion", "2019-03-31");
            return this;
        }

        public Builder reprovision(ReprovisionPolicy policy) {
            Objects.requireNonNull(policy, "policy");
            ObjectNode rp = json.putObject("reprovisionPolicy");
            rp.put("updateHubAssignment", policy.updateHubAssignment());
            rp.put("migrateDeviceData", policy.migrateDeviceData());
            return this;
        }

        /** Whether devices may register through it. Default: enabled. */
        public Builder enabled(boolean enabled) {
            json.put("provisioningStatus", enabled ? "enabled" : "disabled");
            return this;
        }

        /** The initial twin as JSON, e.g. {@code {"tags":{..},"properties":{"desired":{..}}}}. */
        public Builder initialTwin(String twinJson) {
            Objects.requireNonNull(twinJson, "twinJson");
            try {
                json.set("initialTwin", DpsJson.MAPPER.readTree(twinJson));
            } catch (IOException e) {
                throw new IllegalArgumentException("initial twin is not JSON: " + e.getMessage(), e);
            }
            return this;
        }

        public Builder iotEdge(boolean iotEdge) {
            json.putObject("capabilities").put("iotEdge", iotEdge);
            return this;
        }

        public EnrollmentSpec build() {
            return new EnrollmentSpec(this);
        }
    }
}
