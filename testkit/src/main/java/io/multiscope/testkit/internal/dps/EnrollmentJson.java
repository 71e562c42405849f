package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.RegistrationIds;
import io.multiscope.testkit.AllocationPolicy;
import io.multiscope.testkit.LinkedHub;
import io.multiscope.testkit.ReprovisionPolicy;
import io.multiscope.testkit.internal.certs.Pem;
import java.net.URI;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Reads enrollment and enrollment-group JSON as the DPS service API takes it, with DPS's validation, and writes it
 * back as DPS answers it. Keys are generated when sent empty; they are written only into attestation-mechanism
 * answers, as DPS leaves them out of enrollment reads.
 */
public final class EnrollmentJson {

    private static final SecureRandom RANDOM = new SecureRandom();

    private EnrollmentJson() {
    }

    /**
     * Validates {@code body} for the enrollment at {@code pathId}.
     *
     * @param existing the stored record being replaced, if any; its keys are kept when the body sends none
     * @param linkedHubs the hubs an enrollment may name
     * @return the record without etag or timestamps
     * @throws DpsError 400 naming the first problem found
     */
    public static EnrollmentRecord parse(boolean group, String pathId, JsonNode body, EnrollmentRecord existing,
            List<LinkedHub> linkedHubs) {
        if (body == null || !body.isObject()) {
            throw DpsError.badJson("The " + kind(group) + " must be a JSON object.");
        }
        String idField = group ? "enrollmentGroupId" : "registrationId";
        String id = pathId;
        String bodyId = text(body, idField);
        if (bodyId != null && !bodyId.equalsIgnoreCase(pathId)) {
            throw DpsError.badRequest("The " + idField + " '" + bodyId + "' in the body differs from '" + pathId
                    + "' in the path.");
        }
        String problem = RegistrationIds.problem(id);
        if (problem != null) {
            throw DpsError.badRequest("Invalid " + idField + " '" + id + "': "
                    + (group ? problem.replace("registration id", "enrollment group id") : problem) + ".");
        }
        String deviceId = null;
        if (!group) {
            deviceId = text(body, "deviceId");
            if (deviceId != null && (deviceId.isEmpty() || deviceId.length() > 128)) {
                throw DpsError.badRequest("deviceId must be 1 to 128 characters.");
            }
        } else if (body.hasNonNull("deviceId")) {
            throw DpsError.badRequest("An enrollment group has no deviceId; each device uses its registration id.");
        }
        EnrollmentAttestation attestation = attestation(group, body.get("attestation"),
                existing == null ? null : existing.attestation());

        String hubHostName = text(body, "iotHubHostName");
        List<String> hubs = new ArrayList<>();
        JsonNode hubsNode = body.get("iotHubs");
        if (hubsNode != null && !hubsNode.isNull()) {
            if (!hubsNode.isArray()) {
                throw DpsError.badRequest("iotHubs must be an array of host names.");
            }
            for (JsonNode hub : hubsNode) {
                if (!hub.isTextual()) {
                    throw DpsError.badRequest("iotHubs must be an array of host names.");
                }
                hubs.add(hub.textValue());
            }
        }
        List<String> named = new ArrayList<>(hubs);
        if (hubHostName != null) {
            named.add(hubHostName);
        }
        for (String hub : named) {
            if (linkedHubs.stream().noneMatch(h -> h.hostName().equalsIgnoreCase(hub))) {
                throw DpsError.badRequest("The IoT hub '" + hub + "' is not linked to this DPS instance.");
            }
        }

        JsonNode initialTwin = body.get("initialTwin");
        if (initialTwin != null && initialTwin.isNull()) {
            initialTwin = null;
        }
        if (initialTwin != null && !initialTwin.isObject()) {
            throw DpsError.badRequest("initialTwin must be an object.");
        }

        boolean enabled = true;
        String status = text(body, "provisioningStatus");
        if (status != null) {
            switch (status.toLowerCase(Locale.ROOT)) {
                case "enabled" -> enabled = true;
                case "disabled" -> enabled = false;
                default -> throw DpsError.badRequest("provisioningStatus '" + status
                        + "' is not one of enabled, disabled.");
            }
        }
        boolean iotEdge = body.path("capabilities").path("iotEdge").asBoolean(false);

        AllocationPolicy policy = null;
        String policyName = text(body, "allocationPolicy");
        if (policyName != null) {
            try {
                policy = AllocationPolicy.fromWireName(policyName);
            } catch (IllegalArgumentException e) {
                throw DpsError.badRequest(capitalise(e.getMessage()) + ".");
            }
        }
        String webhookUrl = null;
        String webhookApiVersion = null;
        JsonNode custom = body.get("customAllocationDefinition");
        if (custom != null && !custom.isNull()) {
            webhookUrl = text(custom, "webhookUrl");
            webhookApiVersion = text(custom, "apiVersion");
        }
        if (policy == AllocationPolicy.CUSTOM) {
            if (webhookUrl == null || webhookUrl.isBlank()) {
                throw DpsError.badRequest("Custom allocation needs customAllocationDefinition.webhookUrl.");
            }
            try {
                URI uri = URI.create(webhookUrl);
                if (!("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
                        || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an absolute http(s) URL");
                }
            } catch (IllegalArgumentException e) {
                throw DpsError.badRequest("customAllocationDefinition.webhookUrl '" + webhookUrl
                        + "' is not an absolute http(s) URL.");
            }
        }
        if (policy == AllocationPolicy.STATIC && hubHostName == null && hubs.size() != 1) {
            throw DpsError.badRequest("Static allocation needs exactly one IoT hub: set iotHubHostName or one entry "
                    + "in iotHubs.");
        }

        ReprovisionPolicy reprovision = ReprovisionPolicy.REPROVISION_AND_MIGRATE;
        JsonNode rp = body.get("reprovisionPolicy");
        if (rp != null && !rp.isNull()) {
            reprovision = ReprovisionPolicy.of(rp.path("updateHubAssignment").asBoolean(true),
                    rp.path("migrateDeviceData").asBoolean(true));
        }
        return new EnrollmentRecord(group, id, deviceId, attestation, hubHostName, hubs, initialTwin, enabled, iotEdge,
                policy, webhookUrl, webhookApiVersion, reprovision, null, null, null);
    }

    private static EnrollmentAttestation attestation(boolean group, JsonNode node, EnrollmentAttestation existing) {
        if (node == null || !node.isObject()) {
            throw DpsError.badRequest("The " + kind(group) + " needs an attestation object with a type.");
        }
        String type = text(node, "type");
        if (type == null) {
            throw DpsError.badRequest("attestation.type is missing; expected symmetricKey, x509 or tpm.");
        }
        switch (type) {
            case "symmetricKey": {
                JsonNode keys = node.path("symmetricKey");
                String primary = emptyToNull(text(keys, "primaryKey"));
                String secondary = emptyToNull(text(keys, "secondaryKey"));
                if (existing instanceof EnrollmentAttestation.SymmetricKeys old) {
                    primary = primary != null ? primary : old.primaryKey();
                    secondary = secondary != null ? secondary : old.secondaryKey();
                }
                return new EnrollmentAttestation.SymmetricKeys(
                        primary != null ? checkKey("primaryKey", primary) : newKey(),
                        secondary != null ? checkKey("secondaryKey", secondary) : newKey());
            }
            case "x509":
                return x509(group, node.path("x509"));
            case "tpm": {
                if (group) {
                    throw DpsError.badRequest("Enrollment groups cannot use TPM attestation.");
                }
                String ek = text(node.path("tpm"), "endorsementKey");
                if (ek == null || ek.isEmpty()) {
                    throw DpsError.badRequest("TPM attestation needs tpm.endorsementKey.");
                }
                return new EnrollmentAttestation.Tpm(ek, text(node.path("tpm"), "storageRootKey"));
            }
            default:
                throw DpsError.badRequest("attestation.type '" + type + "' is not one of symmetricKey, x509, tpm.");
        }
    }

    private static EnrollmentAttestation x509(boolean group, JsonNode x509) {
        JsonNode client = nonNull(x509.get("clientCertificates"));
        JsonNode signing = nonNull(x509.get("signingCertificates"));
        JsonNode caRefs = nonNull(x509.get("caReferences"));
        int present = (client != null ? 1 : 0) + (signing != null ? 1 : 0) + (caRefs != null ? 1 : 0);
        if (present != 1) {
            throw DpsError.badRequest("x509 attestation needs exactly one of clientCertificates, "
                    + "signingCertificates, caReferences.");
        }
        if (caRefs != null) {
            if (!group) {
                throw DpsError.badRequest("caReferences are for enrollment groups; an individual enrollment uses "
                        + "clientCertificates.");
            }
            String primary = text(caRefs, "primary");
            if (primary == null || primary.isEmpty()) {
                throw DpsError.badRequest("caReferences.primary is missing.");
            }
            return new EnrollmentAttestation.X509CaReferences(primary, emptyToNull(text(caRefs, "secondary")));
        }
        if (group && client != null) {
            throw DpsError.badRequest("An enrollment group uses signingCertificates or caReferences, not "
                    + "clientCertificates.");
        }
        if (!group && signing != null) {
            throw DpsError.badRequest("An individual enrollment uses clientCertificates, not signingCertificates.");
        }
        JsonNode certs = group ? signing : client;
        String primaryPem = text(certs.path("primary"), "certificate");
        if (primaryPem == null) {
            throw DpsError.badRequest("x509 attestation needs a primary certificate.");
        }
        String secondaryPem = emptyToNull(text(certs.path("secondary"), "certificate"));
        X509Certificate primary = certificate("primary", primaryPem);
        X509Certificate secondary = secondaryPem == null ? null : certificate("secondary", secondaryPem);
        return new EnrollmentAttestation.X509Certificates(group, primary, primaryPem, secondary, secondaryPem);
    }

    private static X509Certificate certificate(String which, String text) {
        try {
            return Pem.decode(text);
        } catch (IllegalArgumentException e) {
            throw DpsError.badRequest("The " + which + " certificate is invalid: " + e.getMessage() + ".");
        }
    }

    private static String checkKey(String which, String key) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            throw DpsError.badRequest("symmetricKey." + which + " is not base64.");
        }
        if (bytes.length < 16 || bytes.length > 64) {
            throw DpsError.badRequest("symmetricKey." + which + " decodes to " + bytes.length
                    + " bytes; DPS accepts 16 to 64.");
        }
        return key;
    }

    /** A new random 64-byte key, as DPS generates. */
    public static String newKey() {
        byte[] key = new byte[64];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** The enrollment as DPS returns it from the service API: keys left out. */
    public static ObjectNode render(EnrollmentRecord r, JsonNode registrationState) {
        ObjectNode out = DpsJson.object();
        out.put(r.group() ? "enrollmentGroupId" : "registrationId", r.id());
        if (r.deviceId() != null) {
            out.put("deviceId", r.deviceId());
        }
        out.set("attestation", attestation(r.attestation(), false));
        out.putObject("capabilities").put("iotEdge", r.iotEdge());
        if (r.iotHubHostName() != null) {
            out.put("iotHubHostName", r.iotHubHostName());
        }
        if (!r.iotHubs().isEmpty()) {
            ArrayNode hubs = out.putArray("iotHubs");
            r.iotHubs().forEach(hubs::add);
        }
        if (r.initialTwin() != null) {
            out.set("initialTwin", r.initialTwin());
        }
        if (r.etag() != null) {
            out.put("etag", r.etag());
        }
        out.put("provisioningStatus", r.enabled() ? "enabled" : "disabled");
        ObjectNode rp = out.putObject("reprovisionPolicy");
        rp.put("updateHubAssignment", r.reprovisionPolicy().updateHubAssignment());
        rp.put("migrateDeviceData", r.reprovisionPolicy().migrateDeviceData());
        if (r.created() != null) {
            out.put("createdDateTimeUtc", DpsJson.timestamp(r.created()));
            out.put("lastUpdatedDateTimeUtc", DpsJson.timestamp(r.lastUpdated()));
        }
        if (r.allocationPolicy() != null) {
            out.put("allocationPolicy", r.allocationPolicy().wireName());
        }
        if (r.webhookUrl() != null) {
            ObjectNode custom = out.putObject("customAllocationDefinition");
            custom.put("webhookUrl", r.webhookUrl());
            if (r.webhookApiVersion() != null) {
                custom.put("apiVersion", r.webhookApiVersion());
            }
        }
        if (registrationState != null) {
            out.set("registrationState", registrationState);
        }
        return out;
    }

    /** The attestation mechanism; with keys only for the {@code attestationmechanism} call. */
    public static ObjectNode attestation(EnrollmentAttestation a, boolean includeKeys) {
        ObjectNode out = DpsJson.object();
        out.put("type", a.type());
        if (a instanceof EnrollmentAttestation.SymmetricKeys keys) {
            ObjectNode sk = out.putObject("symmetricKey");
            if (includeKeys) {
                sk.put("primaryKey", keys.primaryKey());
                sk.put("secondaryKey", keys.secondaryKey());
            }
        } else if (a instanceof EnrollmentAttestation.X509Certificates certs) {
            ObjectNode x509 = out.putObject("x509");
            ObjectNode holder = x509.putObject(certs.signing() ? "signingCertificates" : "clientCertificates");
            holder.putObject("primary").put("certificate", certs.primaryPem());
            if (certs.secondaryPem() != null) {
                holder.putObject("secondary").put("certificate", certs.secondaryPem());
            }
        } else if (a instanceof EnrollmentAttestation.X509CaReferences refs) {
            ObjectNode ca = out.putObject("x509").putObject("caReferences");
            ca.put("primary", refs.primary());
            if (refs.secondary() != null) {
                ca.put("secondary", refs.secondary());
            }
        } else if (a instanceof EnrollmentAttestation.Tpm tpm) {
            ObjectNode t = out.putObject("tpm");
            t.put("endorsementKey", tpm.endorsementKey());
            if (tpm.storageRootKey() != null) {
                t.put("storageRootKey", tpm.storageRootKey());
            }
        }
        return out;
    }

    private static String kind(boolean group) {
        return group ? "enrollment group" : "individual enrollment";
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw DpsError.badRequest(field + " must be a string.");
        }
        return value.textValue();
    }

    private static JsonNode nonNull(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
