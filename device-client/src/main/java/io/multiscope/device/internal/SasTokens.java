package io.multiscope.device.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * DPS-style shared access signatures, computed exactly as the Azure Java device SDK computes them (raw resource
 * signed, {@code skn} empty), so the provisioning API and DPS accept the same token format from this device.
 */
public final class SasTokens {

    private SasTokens() {
    }

    /**
     * {@code SharedAccessSignature sr={resource}&sig={urlencoded signature}&se={expiry}&skn=}.
     *
     * @param resource {@code {scope}/registrations/{registrationId}}
     * @param keyBase64 the device key
     * @param expiresAtEpochSecond when the token stops being valid
     */
    public static String token(String resource, String keyBase64, long expiresAtEpochSecond) {
        String signature = sign(Base64.getDecoder().decode(keyBase64), resource + "\n" + expiresAtEpochSecond);
        return "SharedAccessSignature sr=" + resource + "&sig=" + urlEncode(signature) + "&se="
                + expiresAtEpochSecond + "&skn=";
    }

    /** The resource a device signs: {@code {scope}/registrations/{registrationId}}. */
    public static String resource(String scope, String registrationId) {
        return scope + "/registrations/" + registrationId;
    }

    /**
     * A device key derived from an enrollment group key as DPS derives it:
     * {@code base64(HMAC-SHA256(base64decode(groupKey), utf8(registrationId)))}.
     */
    public static String deriveDeviceKey(String groupKeyBase64, String registrationId) {
        return sign(Base64.getDecoder().decode(groupKeyBase64), registrationId);
    }

    /** {@code base64(HMAC-SHA256(key, utf8(data)))}. */
    static String sign(byte[] key, String data) {
        return Base64.getEncoder().encodeToString(hmac(key, data.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code HMAC-SHA256(key, data)}. */
    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available on this JVM", e);
        }
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
