package io.multiscope.device;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Provisioning bundles as the service issues them, written from the format description alone (not from the device
 * code): the JSON fields, the signed text, HMAC keys derived from the device key, JCA signatures.
 */
final class Bundles {

    private static final ObjectMapper JSON = new ObjectMapper();

    String registrationId;
    String globalEndpoint;
    String idScope;
    String assignedHub;
    String deviceId;
    String issuedAt;
    String expiresAt;

    private Bundles() {
    }

    /** A direct bundle (endpoint and ID scope only), valid for an hour from {@code now}. */
    static Bundles direct(String registrationId, String globalEndpoint, String idScope, Instant now) {
        Bundles b = new Bundles();
        b.registrationId = registrationId;
        b.globalEndpoint = globalEndpoint;
        b.idScope = idScope;
        b.issuedAt = now.toString();
        b.expiresAt = now.plusSeconds(3600).toString();
        return b;
    }

    /** The proxy variant: the service already registered the device. */
    Bundles assigned(String hub, String device) {
        this.assignedHub = hub;
        this.deviceId = device;
        return this;
    }

    Bundles valid(Instant from, Instant until) {
        this.issuedAt = from.toString();
        this.expiresAt = until.toString();
        return this;
    }

    /** The text the signature covers, per the format: fixed header, then the fields, "\n"-joined. */
    String signedText() {
        return "multiscope-bundle-v1\n" + registrationId + "\n" + globalEndpoint + "\n" + idScope + "\n"
                + (assignedHub == null ? "" : assignedHub) + "\n" + (deviceId == null ? "" : deviceId) + "\n"
                + issuedAt + "\n" + expiresAt;
    }

    /** Signed with HMAC-SHA256 under HMAC-SHA256(deviceKey, "multiscope-bundle"). */
    ObjectNode hmac(String deviceKeyBase64) {
        byte[] bundleKey = hmacSha256(Base64.getDecoder().decode(deviceKeyBase64),
                "multiscope-bundle".getBytes(StandardCharsets.UTF_8));
        return json("HMAC-SHA256", hmacSha256(bundleKey, signedText().getBytes(StandardCharsets.UTF_8)));
    }

    /** Signed with a JCA algorithm, e.g. SHA256withECDSA. */
    ObjectNode signed(String alg, PrivateKey key) {
        try {
            Signature signature = Signature.getInstance(alg);
            signature.initSign(key);
            signature.update(signedText().getBytes(StandardCharsets.UTF_8));
            return json(alg, signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode json(String alg, byte[] signature) {
        ObjectNode out = JSON.createObjectNode();
        out.put("bundleVersion", 1);
        out.put("registrationId", registrationId);
        out.put("globalEndpoint", globalEndpoint);
        out.put("idScope", idScope);
        if (assignedHub != null) {
            out.put("assignedHub", assignedHub);
            out.put("deviceId", deviceId);
        }
        out.put("issuedAt", issuedAt);
        out.put("expiresAt", expiresAt);
        out.put("alg", alg);
        out.put("signature", Base64.getEncoder().encodeToString(signature));
        return out;
    }

    static String text(ObjectNode bundle) {
        return bundle.toString();
    }

    private static byte[] hmacSha256(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
