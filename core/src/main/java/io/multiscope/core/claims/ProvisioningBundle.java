package io.multiscope.core.claims;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a successful claim returns: everything a device needs to reach its DPS instance, signed so that the device can
 * tell it comes from its provisioning service. The installer app hands it to the device locally (Bluetooth, a local
 * web page, a cable); the device verifies and stores it.
 *
 * <p>Wire form ({@link #toJson()}): {@code bundleVersion}, {@code registrationId}, {@code globalEndpoint},
 * {@code idScope}, {@code assignedHub} and {@code deviceId} (only when the server registered the device with DPS
 * itself), {@code issuedAt} and {@code expiresAt} (ISO-8601 UTC, whole seconds), {@code alg} and {@code signature}
 * (standard base64). The signature covers the UTF-8 bytes of {@link #signedText()}: the lines
 * {@value #SIGNED_TEXT_TAG}, registration id, global endpoint, ID scope, assigned hub (or empty), device id (or
 * empty), issuedAt and expiresAt joined by {@code \n}, each exactly as in the JSON. {@code alg} is one of
 * {@link BundleSignature#HMAC_SHA256} (keyed from the device's symmetric key), {@link BundleSignature#SHA256_WITH_ECDSA}
 * or {@link BundleSignature#SHA256_WITH_RSA} (the server's private key; for X.509 devices).
 *
 * @param bundleVersion {@value #VERSION}
 * @param registrationId the device, lower-cased
 * @param globalEndpoint the DPS device endpoint the device registers at
 * @param idScope the ID scope of its DPS instance
 * @param assignedHub the IoT hub DPS assigned, when the server registered the device (proxy variant)
 * @param deviceId the device id on that hub; present exactly when {@code assignedHub} is
 * @param issuedAt when the bundle was made
 * @param expiresAt after this the device no longer accepts the bundle
 * @param alg the signature algorithm
 * @param signature the signature, standard base64
 */
public record ProvisioningBundle(int bundleVersion, String registrationId, String globalEndpoint, String idScope,
        Optional<String> assignedHub, Optional<String> deviceId, Instant issuedAt, Instant expiresAt, String alg,
        String signature) {

    /** The only bundle version so far. */
    public static final int VERSION = 1;
    /** The first line of the signed text. */
    public static final String SIGNED_TEXT_TAG = "multiscope-bundle-v1";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @throws IllegalArgumentException if a field breaks the format */
    public ProvisioningBundle {
        if (bundleVersion != VERSION) {
            throw new IllegalArgumentException("bundle version must be " + VERSION + ", was " + bundleVersion);
        }
        checkText(registrationId, "registrationId");
        checkText(globalEndpoint, "globalEndpoint");
        checkText(idScope, "idScope");
        Objects.requireNonNull(assignedHub, "assignedHub");
        Objects.requireNonNull(deviceId, "deviceId");
        assignedHub.ifPresent(h -> checkText(h, "assignedHub"));
        deviceId.ifPresent(d -> checkText(d, "deviceId"));
        if (assignedHub.isPresent() != deviceId.isPresent()) {
            throw new IllegalArgumentException("assignedHub and deviceId are present together or not at all");
        }
        checkInstant(issuedAt, "issuedAt");
        checkInstant(expiresAt, "expiresAt");
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("expiresAt must be after issuedAt");
        }
        checkText(alg, "alg");
        checkText(signature, "signature");
    }

    /** The text the signature covers, for these fields (what a signer signs before the bundle exists). */
    public static String signedText(String registrationId, String globalEndpoint, String idScope,
            Optional<String> assignedHub, Optional<String> deviceId, Instant issuedAt, Instant expiresAt) {
        return String.join("\n", SIGNED_TEXT_TAG, registrationId, globalEndpoint, idScope, assignedHub.orElse(""),
                deviceId.orElse(""), issuedAt.toString(), expiresAt.toString());
    }

    /** The text this bundle's signature covers. */
    public String signedText() {
        return signedText(registrationId, globalEndpoint, idScope, assignedHub, deviceId, issuedAt, expiresAt);
    }

    /** The bundle's JSON, fields in the documented order; what {@code POST /v1/claims} answers. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bundleVersion", bundleVersion);
        m.put("registrationId", registrationId);
        m.put("globalEndpoint", globalEndpoint);
        m.put("idScope", idScope);
        assignedHub.ifPresent(h -> m.put("assignedHub", h));
        deviceId.ifPresent(d -> m.put("deviceId", d));
        m.put("issuedAt", issuedAt.toString());
        m.put("expiresAt", expiresAt.toString());
        m.put("alg", alg);
        m.put("signature", signature);
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bundle not serialisable", e);
        }
    }

    private static void checkText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty() || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(name + " must be non-empty text on one line");
        }
    }

    private static void checkInstant(Instant value, String name) {
        Objects.requireNonNull(value, name);
        if (value.getNano() != 0) {
            throw new IllegalArgumentException(name + " must be a whole second, was " + value);
        }
    }
}
