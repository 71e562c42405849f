package io.multiscope.core.claims;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.time.VirtualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A pattern 1 service over the in-memory store, a claim service (direct variant) in front of it, installer tokens,
 * and devices with claim codes: {@code acme-1}, {@code acme-2} (tenant acme), {@code globex-1} (tenant globex). All
 * time is one virtual clock.
 */
public final class ClaimsFixture {

    public static final byte[] TOKEN_KEY = "installer-token-key-of-32-bytes!".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] PEPPER = "pepper-for-claim-code-tests-32b!".getBytes(StandardCharsets.US_ASCII);
    public static final String DEVICE_GROUP_KEY =
            Base64.getEncoder().encodeToString("device-group-key-with-32-bytes!!".getBytes(StandardCharsets.UTF_8));

    public final VirtualClock clock = VirtualClock.create();
    public final InMemoryInventoryStore store = new InMemoryInventoryStore(clock);
    public final ZeroTouchProvisioning zeroTouch;
    public final HmacInstallerTokens tokens = HmacInstallerTokens.builder(TOKEN_KEY).clock(clock).build();
    public final ClaimCodeHasher hasher = ClaimCodeHasher.withPepper("p1", PEPPER);
    public final ClaimCodeIssuer issuer;
    public final ClaimService claims;
    public final String acme1Code;
    public final String acme2Code;
    public final String globex1Code;

    public ClaimsFixture() {
        this(1000, b -> { });
    }

    /** @param perMinute each instance's registration quota */
    public ClaimsFixture(int perMinute, Consumer<ClaimService.Builder> custom) {
        zeroTouch = ZeroTouchProvisioning.builder().store(store).clock(clock).ticker(clock)
                .snapshotInterval(Duration.ZERO)
                .instance(DpsInstance.builder("eu").idScope("0ne00000EU1").region("westeurope")
                        .registrationsPerMinute(perMinute).build())
                .instance(DpsInstance.builder("us").idScope("0ne00000US1").region("eastus")
                        .registrationsPerMinute(perMinute).build())
                .admission(AdmissionControl.builder().clock(clock).build())
                .attestation(SymmetricKeyAttestation.builder().groupKey(DEVICE_GROUP_KEY).clock(clock).build())
                .build();
        issuer = ClaimCodeIssuer.builder(store.ownership(), hasher).clock(clock).validity(Duration.ofDays(30)).build();
        ClaimService.Builder builder = ClaimService.builder().installers(tokens).codeHasher(hasher)
                .bundleSigner(BundleSigners.groupKey(DEVICE_GROUP_KEY)).direct(zeroTouch).clock(clock);
        custom.accept(builder);
        claims = builder.build();
        acme1Code = issuer.issue("acme-1", "acme").code();
        acme2Code = issuer.issue("acme-2", "acme").code();
        globex1Code = issuer.issue("globex-1", "globex").code();
    }

    public OwnershipRegistry ownership() {
        return store.ownership();
    }

    public Ownership record(String id) {
        return ownership().find(id).orElseThrow();
    }

    public static InstallerIdentity installer(String id, String tenant) {
        return new InstallerIdentity(id, tenant);
    }

    public String token(String installerId, String tenant) {
        return tokens.issue(installer(installerId, tenant), Duration.ofHours(8));
    }

    public long assignedDevices() {
        return store.assignedCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Verifies an HMAC-SHA256 bundle exactly as the format says, independently of the library: the signed text is
     * rebuilt from the JSON fields, the device key derived from the group key as DPS does.
     */
    public static boolean hmacSignatureVerifies(JsonNode bundle, String groupKeyBase64) throws Exception {
        String id = bundle.get("registrationId").asText();
        byte[] deviceKey = hmac(Base64.getDecoder().decode(groupKeyBase64), id.getBytes(StandardCharsets.UTF_8));
        byte[] bundleKey = hmac(deviceKey, "multiscope-bundle".getBytes(StandardCharsets.UTF_8));
        byte[] expected = hmac(bundleKey, signedText(bundle).getBytes(StandardCharsets.UTF_8));
        return bundle.get("alg").asText().equals("HMAC-SHA256")
                && java.security.MessageDigest.isEqual(expected, Base64.getDecoder().decode(bundle.get("signature")
                        .asText()));
    }

    /** The signed text, rebuilt from the bundle's JSON. */
    public static String signedText(JsonNode bundle) {
        return String.join("\n", "multiscope-bundle-v1", bundle.get("registrationId").asText(),
                bundle.get("globalEndpoint").asText(), bundle.get("idScope").asText(), text(bundle, "assignedHub"),
                text(bundle, "deviceId"), bundle.get("issuedAt").asText(), bundle.get("expiresAt").asText());
    }

    public static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    private static String text(JsonNode node, String field) {
        return node.has(field) ? node.get(field).asText() : "";
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
