package io.multiscope.testkit.proxy;

import static io.multiscope.testkit.proxy.ProxyFixture.EU1;
import static io.multiscope.testkit.proxy.ProxyFixture.GROUP;
import static io.multiscope.testkit.proxy.ProxyFixture.HUB1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multiscope.core.claims.BundleSigners;
import io.multiscope.core.claims.ClaimCodeHasher;
import io.multiscope.core.claims.ClaimCodeIssuer;
import io.multiscope.core.claims.ClaimService;
import io.multiscope.core.claims.HmacInstallerTokens;
import io.multiscope.core.claims.InstallerIdentity;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.RequestKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pattern 4, proxy variant, end to end: an installer claims a device over real HTTPS; the proxy registers it with an
 * emulated DPS through the real device SDK; the answer is a bundle with the hub DPS assigned, signed with the key the
 * device holds.
 */
class ClaimsProxyTest {

    static DpsEmulator dps;
    static HttpClient http;
    ProxyFixture fixture;
    ProvisioningHttpServer server;
    HmacInstallerTokens tokens;
    byte[] tokenKey;
    OwnershipRegistry ownership;
    String acmeCode;
    String globexCode;

    @BeforeAll
    static void start() {
        dps = ProxyFixture.startEmulator();
        http = HttpClient.newBuilder().sslContext(dps.clientSslContext()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        dps.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        dps.reset();
        fixture = ProxyFixture.create(dps, b -> { });
        tokenKey = new byte[32];
        byte[] pepper = new byte[32];
        new SecureRandom().nextBytes(tokenKey);
        new SecureRandom().nextBytes(pepper);
        tokens = HmacInstallerTokens.builder(tokenKey).issuer("https://id.example.com").audience("multiscope-claims")
                .clock(fixture.clock).build();
        ClaimCodeHasher hasher = ClaimCodeHasher.withPepper("2026-01", pepper);
        ownership = fixture.proxy.store().ownership();
        ClaimCodeIssuer issuer = ClaimCodeIssuer.builder(ownership, hasher).clock(fixture.clock).build();
        acmeCode = issuer.issue("thermostat-7", "acme").code();
        globexCode = issuer.issue("meter-3", "globex").code();
        ClaimService claims = ClaimService.builder().installers(tokens).codeHasher(hasher)
                .bundleSigner(BundleSigners.groupKey(fixture.deviceGroupKey)).proxy(fixture.proxy)
                .clock(fixture.clock).build();
        ProvisioningApi api = ProvisioningApi.builder(fixture.proxy).claims(claims).build();
        server = ProvisioningHttpServer.https(api, dps.certificates().serverKeyManagers(List.of())).threads(2).start();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        fixture.close();
    }

    @Test
    void anInstallerClaimsADeviceAndGetsItsRegistrationSigned() throws Exception {
        HttpResponse<String> r = claim("alice", "acme", "thermostat-7", acmeCode.toLowerCase());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode bundle = new ObjectMapper().readTree(r.body());
        assertThat(bundle.get("bundleVersion").asInt()).isEqualTo(1);
        assertThat(bundle.get("registrationId").asText()).isEqualTo("thermostat-7");
        assertThat(bundle.get("globalEndpoint").asText()).isEqualTo(dps.deviceEndpoint());
        assertThat(bundle.get("idScope").asText()).isEqualTo(dps.instance(EU1).idScope());
        assertThat(bundle.get("assignedHub").asText()).isEqualTo(HUB1);
        assertThat(bundle.get("deviceId").asText()).isEqualTo("thermostat-7");
        assertThat(Instant.parse(bundle.get("expiresAt").asText()))
                .isEqualTo(Instant.parse(bundle.get("issuedAt").asText()).plus(Duration.ofHours(1)));
        assertThat(signatureVerifies(bundle, fixture.deviceGroupKey)).isTrue();

        // DPS really holds the registration, made through the proxy's enrollment group, on the hub in the bundle.
        assertThat(dps.instance(EU1).registration("thermostat-7")).hasValueSatisfying(reg -> {
            assertThat(reg.enrollmentGroupId()).isEqualTo(GROUP);
            assertThat(reg.assignedHub()).isEqualTo(HUB1);
        });
        Ownership record = ownership.find("thermostat-7").orElseThrow();
        assertThat(record.claim().orElseThrow().claimedBy()).contains("alice");
        assertThat(record.activeInstanceId()).contains(EU1);
        assertThat(fixture.proxy.assignedHub("thermostat-7")).contains(HUB1);
    }

    @Test
    void aUsedCodeIsRefusedWithoutASecondDpsRegistration() throws Exception {
        assertThat(claim("alice", "acme", "thermostat-7", acmeCode).statusCode()).isEqualTo(200);

        HttpResponse<String> again = claim("bob", "acme", "thermostat-7", acmeCode);

        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(again.body()).contains("/problems/claim-code-used\"");
        assertThat(dps.instances().stream().mapToLong(i -> i.counters().registrations()).sum()).isEqualTo(1);
    }

    @Test
    void anotherTenantsDeviceIsNeitherRegisteredNorRevealed() throws Exception {
        HttpResponse<String> foreign = claim("greg", "globex", "thermostat-7", acmeCode);
        Ownership before = ownership.find("thermostat-7").orElseThrow();
        ownership.remove("thermostat-7", before.version());
        HttpResponse<String> unknown = claim("greg", "globex", "thermostat-7", acmeCode);

        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(foreign.body()).isEqualTo(unknown.body()).contains("/problems/claim-not-found\"");
        assertThat(dps.instances().stream().mapToLong(i -> i.counters().registrations()).sum()).isZero();
        assertThat(fixture.proxy.store().findAssignment("thermostat-7")).isEmpty();
        // globex's own device works for globex's installer.
        assertThat(claim("greg", "globex", "meter-3", globexCode).statusCode()).isEqualTo(200);
    }

    @Test
    void whenDpsRefusesTheCodeStaysUnusedAndTheClaimCanBeRepeated() throws Exception {
        dps.instance(EU1).failNext(1, 403, RequestKind.REGISTER);

        HttpResponse<String> failed = claim("alice", "acme", "thermostat-7", acmeCode);

        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(502);
        assertThat(failed.body()).contains("/problems/dps-refused\"");
        assertThat(ownership.find("thermostat-7").orElseThrow().claim().orElseThrow().isUsed()).isFalse();

        HttpResponse<String> retried = claim("alice", "acme", "thermostat-7", acmeCode);
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(retried.body()).get("assignedHub").asText()).isEqualTo(HUB1);
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        HmacInstallerTokens otherApi = HmacInstallerTokens.builder(tokenKey).issuer("https://id.example.com")
                .audience("billing").clock(fixture.clock).build();
        HttpResponse<String> r = send("Bearer " + otherApi.issue(new InstallerIdentity("alice", "acme"),
                Duration.ofHours(1)), "{\"registrationId\":\"thermostat-7\",\"claimCode\":\"" + acmeCode + "\"}");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("/problems/wrong-token-audience\"");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
        assertThat(dps.instances().stream().mapToLong(i -> i.counters().registrations()).sum()).isZero();
    }

    private HttpResponse<String> claim(String installer, String tenant, String registrationId, String code)
            throws Exception {
        String token = tokens.issue(new InstallerIdentity(installer, tenant), Duration.ofHours(1));
        return send("Bearer " + token, "{\"registrationId\":\"" + registrationId + "\",\"claimCode\":\"" + code
                + "\"}");
    }

    private HttpResponse<String> send(String authorization, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/v1/claims"))
                .header("Content-Type", "application/json").header("Authorization", authorization)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The bundle format's HMAC-SHA256, recomputed here from the JSON fields and the device's group-derived key. */
    private static boolean signatureVerifies(JsonNode bundle, String groupKeyBase64) throws Exception {
        String text = String.join("\n", "multiscope-bundle-v1", bundle.get("registrationId").asText(),
                bundle.get("globalEndpoint").asText(), bundle.get("idScope").asText(),
                bundle.get("assignedHub").asText(), bundle.get("deviceId").asText(), bundle.get("issuedAt").asText(),
                bundle.get("expiresAt").asText());
        byte[] deviceKey = hmac(Base64.getDecoder().decode(groupKeyBase64),
                bundle.get("registrationId").asText().getBytes(StandardCharsets.UTF_8));
        byte[] bundleKey = hmac(deviceKey, "multiscope-bundle".getBytes(StandardCharsets.UTF_8));
        return bundle.get("alg").asText().equals("HMAC-SHA256") && MessageDigest.isEqual(
                hmac(bundleKey, text.getBytes(StandardCharsets.UTF_8)),
                Base64.getDecoder().decode(bundle.get("signature").asText()));
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
