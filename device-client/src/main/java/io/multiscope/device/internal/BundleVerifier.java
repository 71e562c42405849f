package io.multiscope.device.internal;

import io.multiscope.device.InvalidBundleException;
import io.multiscope.device.InvalidBundleException.Reason;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a provisioning bundle (pattern 4) as the installer app hands it to the device: format version 1, this
 * device's registration id, every field well formed, a known algorithm, a valid signature, not expired. The format
 * and the signed text are fixed by the service side ({@code POST /v1/claims}):
 *
 * <pre>
 * multiscope-bundle-v1 \n registrationId \n globalEndpoint \n idScope \n assignedHub or "" \n deviceId or "" \n
 * issuedAt \n expiresAt          (UTF-8, no trailing newline)
 * </pre>
 *
 * signed with {@code HMAC-SHA256} under {@code HMAC-SHA256(deviceKey, "multiscope-bundle")}, or with {@code
 * SHA256withECDSA} / {@code SHA256withRSA} under the service's private key.
 */
final class BundleVerifier {

    static final String HMAC_SHA256 = "HMAC-SHA256";
    static final String ECDSA = "SHA256withECDSA";
    static final String RSA = "SHA256withRSA";
    /** What the device's symmetric key is turned into before it verifies a bundle. */
    static final String KEY_PURPOSE = "multiscope-bundle";
    static final String SIGNED_HEADER = "multiscope-bundle-v1";
    /** A bundle is a few hundred bytes; anything much larger is not one. */
    static final int MAX_BYTES = 16 * 1024;

    private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");

    private final DeviceCredentials credentials;
    private final PublicKey publicKey;
    private final Duration tolerance;

    /**
     * @param publicKey the service's key for {@link #ECDSA} / {@link #RSA} bundles, or null
     * @param tolerance how far past {@code expiresAt} the device's clock may be
     */
    BundleVerifier(DeviceCredentials credentials, PublicKey publicKey, Duration tolerance) {
        this.credentials = credentials;
        this.publicKey = publicKey;
        this.tolerance = tolerance;
    }

    /** @throws InvalidBundleException saying what is wrong */
    VerifiedBundle verify(byte[] bytes, Instant now) {
        if (bytes.length > MAX_BYTES) {
            throw refuse(Reason.MALFORMED, "it is " + bytes.length + " bytes long; a bundle is at most " + MAX_BYTES);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw refuse(Reason.MALFORMED, "it is not UTF-8 text");
        }
        return verify(text, now);
    }

    /** @throws InvalidBundleException saying what is wrong */
    VerifiedBundle verify(String text, Instant now) {
        Map<String, Object> json;
        try {
            json = Json.parseObject(text.trim());
        } catch (IllegalArgumentException e) {
            throw refuse(Reason.MALFORMED, "it is not a JSON object (" + e.getMessage() + ")");
        }
        Object version = json.get("bundleVersion");
        if (!(version instanceof BigDecimal)) {
            throw refuse(Reason.MALFORMED, "'bundleVersion' is missing or not a number");
        }
        if (((BigDecimal) version).compareTo(BigDecimal.ONE) != 0) {
            throw refuse(Reason.UNSUPPORTED_VERSION, "it has bundleVersion " + version + "; this device reads "
                    + "version 1");
        }
        String registrationId = required(json, "registrationId");
        String problem = Validation.registrationIdProblem(registrationId);
        if (problem != null) {
            throw refuse(Reason.MALFORMED, "'registrationId' is not valid: " + problem);
        }
        String endpoint = required(json, "globalEndpoint");
        if (!Validation.isEndpoint(endpoint)) {
            throw refuse(Reason.MALFORMED, "'globalEndpoint' is not a host name (optionally :port)");
        }
        String idScope = required(json, "idScope");
        if (!Validation.isIdScope(idScope)) {
            throw refuse(Reason.MALFORMED, "'idScope' is not letters, digits and '-'");
        }
        String hub = optional(json, "assignedHub");
        String deviceId = optional(json, "deviceId");
        if ((hub == null) != (deviceId == null)) {
            throw refuse(Reason.MALFORMED, "it has " + (hub == null ? "'deviceId' without 'assignedHub'"
                    : "'assignedHub' without 'deviceId'") + "; both or neither");
        }
        if (hub != null && (!Validation.isEndpoint(hub) || hub.contains(":"))) {
            throw refuse(Reason.MALFORMED, "'assignedHub' is not a host name");
        }
        if (deviceId != null && (deviceId.length() > Validation.MAX_REGISTRATION_ID || hasControl(deviceId))) {
            throw refuse(Reason.MALFORMED, "'deviceId' is longer than " + Validation.MAX_REGISTRATION_ID
                    + " characters or contains control characters");
        }
        String issuedText = required(json, "issuedAt");
        String expiresText = required(json, "expiresAt");
        Instant issuedAt = instant(issuedText, "issuedAt");
        Instant expiresAt = instant(expiresText, "expiresAt");
        if (!expiresAt.isAfter(issuedAt)) {
            throw refuse(Reason.MALFORMED, "'expiresAt' (" + expiresText + ") is not after 'issuedAt' ("
                    + issuedText + ")");
        }
        String alg = required(json, "alg");
        String signatureText = required(json, "signature");
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatureText);
        } catch (IllegalArgumentException e) {
            throw refuse(Reason.MALFORMED, "'signature' is not standard base64");
        }
        if (!registrationId.equalsIgnoreCase(credentials.registrationId())) {
            // Registration ids are case-insensitive in DPS; the service may have normalised the device's.
            throw refuse(Reason.WRONG_DEVICE, "it is for registration id '" + registrationId + "'");
        }
        byte[] signed = String.join("\n", SIGNED_HEADER, registrationId, endpoint, idScope, hub == null ? "" : hub,
                deviceId == null ? "" : deviceId, issuedText, expiresText).getBytes(StandardCharsets.UTF_8);
        if (!signatureMatches(alg, signed, signature)) {
            throw refuse(Reason.BAD_SIGNATURE, "its " + alg + " signature does not match its fields (altered, or "
                    + "signed with another key)");
        }
        if (now.isAfter(expiresAt.plus(tolerance))) {
            throw refuse(Reason.EXPIRED, "it expired at " + expiresText + "; the device's clock says " + now
                    + " (tolerance " + tolerance + ")");
        }
        return new VerifiedBundle(new DpsTarget(endpoint, idScope), hub, deviceId, issuedAt, expiresAt,
                signatureText);
    }

    private boolean signatureMatches(String alg, byte[] signed, byte[] signature) {
        if (HMAC_SHA256.equals(alg)) {
            Optional<byte[]> key = credentials.derivedKey(KEY_PURPOSE);
            if (key.isEmpty()) {
                throw refuse(Reason.UNSUPPORTED_ALGORITHM, "it is signed with " + HMAC_SHA256 + ", but this device "
                        + "(" + credentials.describe() + ") has no symmetric key; X.509 devices verify " + ECDSA
                        + " or " + RSA + " bundles with bundleVerificationKey");
            }
            return MessageDigest.isEqual(SasTokens.hmac(key.get(), signed), signature);
        }
        if (!ECDSA.equals(alg) && !RSA.equals(alg)) {
            throw refuse(Reason.UNSUPPORTED_ALGORITHM, "its alg '" + alg + "' is none of " + HMAC_SHA256 + ", "
                    + ECDSA + ", " + RSA);
        }
        String keyType = ECDSA.equals(alg) ? "EC" : "RSA";
        if (publicKey == null) {
            throw refuse(Reason.UNSUPPORTED_ALGORITHM, "it is signed with " + alg + ", but no "
                    + "bundleVerificationKey is configured");
        }
        if (!keyType.equals(publicKey.getAlgorithm())) {
            throw refuse(Reason.UNSUPPORTED_ALGORITHM, "it is signed with " + alg + ", but the configured "
                    + "bundleVerificationKey is an " + publicKey.getAlgorithm() + " key");
        }
        try {
            Signature verifier = Signature.getInstance(alg);
            verifier.initVerify(publicKey);
            verifier.update(signed);
            return verifier.verify(signature);
        } catch (java.security.SignatureException e) {
            // A signature that is not even well-formed DER (or the wrong length) cannot match.
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(alg + " is not available on this JVM", e);
        }
    }

    private InvalidBundleException refuse(Reason reason, String message) {
        return new InvalidBundleException(reason, credentials.registrationId(), message);
    }

    private String required(Map<String, Object> json, String key) {
        Object value = json.get(key);
        if (value == null) {
            throw refuse(Reason.MALFORMED, "'" + key + "' is missing");
        }
        if (!(value instanceof String) || ((String) value).isBlank()) {
            throw refuse(Reason.MALFORMED, "'" + key + "' is not a non-blank string");
        }
        return (String) value;
    }

    /** Absent and JSON null both mean "not there"; present means a non-blank string. */
    private String optional(Map<String, Object> json, String key) {
        return json.get(key) == null ? null : required(json, key);
    }

    private Instant instant(String text, String key) {
        if (!INSTANT.matcher(text).matches()) {
            throw refuse(Reason.MALFORMED, "'" + key + "' is not an ISO-8601 UTC instant (e.g. "
                    + "2026-11-26T10:00:00Z)");
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw refuse(Reason.MALFORMED, "'" + key + "' is not a valid instant");
        }
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
