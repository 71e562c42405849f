package io.multiscope.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.claims.ClaimsFixture;
import io.multiscope.core.claims.HmacInstallerTokens;
import io.multiscope.core.claims.InstallerIdentity;
import io.multiscope.core.ownership.Ownership;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/claims} on the framework-neutral API, on top of a pattern 1 service. */
class ClaimsApiTest {

    final ObjectMapper json = new ObjectMapper();
    final ClaimsFixture f = new ClaimsFixture();
    final ProvisioningApi api = ProvisioningApi.builder(f.zeroTouch).claims(f.claims).maxBodyBytes(1024).build();

    ApiResponse claim(ProvisioningApi target, String authorization, String body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return target.handle(ApiRequest.of("POST", "/v1/claims", headers, body.getBytes(StandardCharsets.UTF_8)));
    }

    ApiResponse claim(String authorization, String body) {
        return claim(api, authorization, body);
    }

    String bearer(String installer, String tenant) {
        return "Bearer " + f.token(installer, tenant);
    }

    static String body(String registrationId, String code) {
        return "{\"registrationId\":\"" + registrationId + "\",\"claimCode\":\"" + code + "\"}";
    }

    JsonNode problem(ApiResponse r, int status, String type) throws Exception {
        assertThat(r.status()).as(r.bodyText()).isEqualTo(status);
        assertThat(r.headers()).containsEntry("Content-Type", "application/problem+json");
        JsonNode b = json.readTree(r.body());
        assertThat(b.get("type").asText()).isEqualTo("https://multiscope.io/problems/" + type);
        assertThat(b.get("detail").asText()).isNotBlank();
        return b;
    }

    @Test
    void aClaimAnswers200WithTheSignedBundle() throws Exception {
        ApiResponse r = claim(bearer("alice", "acme"), body("acme-1", f.acme1Code));

        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        assertThat(r.headers()).containsEntry("Content-Type", "application/json").containsEntry("Cache-Control",
                "no-store");
        JsonNode bundle = json.readTree(r.body());
        assertThat(bundle.fieldNames()).toIterable().containsExactly("bundleVersion", "registrationId",
                "globalEndpoint", "idScope", "issuedAt", "expiresAt", "alg", "signature");
        assertThat(bundle.get("registrationId").asText()).isEqualTo("acme-1");
        assertThat(bundle.get("idScope").asText()).isEqualTo(f.store.findAssignment("acme-1").orElseThrow().idScope());
        assertThat(ClaimsFixture.hmacSignatureVerifies(bundle, ClaimsFixture.DEVICE_GROUP_KEY)).isTrue();

        // Tampering with any signed field breaks the signature.
        ((com.fasterxml.jackson.databind.node.ObjectNode) bundle).put("idScope", "0ne99999999");
        assertThat(ClaimsFixture.hmacSignatureVerifies(bundle, ClaimsFixture.DEVICE_GROUP_KEY)).isFalse();
    }

    @Test
    void theOtherRoutesOfPattern1StillWork() {
        String token = SasToken.forDevice(SasToken.deviceResource("multiscope", "dev-9"),
                SasToken.deriveDeviceKey(ClaimsFixture.DEVICE_GROUP_KEY, "dev-9"), f.clock.instant().plusSeconds(600));
        ApiResponse r = api.handle(ApiRequest.of("POST", "/v1/assignments", Map.of("Authorization", token,
                "Content-Type", "application/json"), "{\"registrationId\":\"dev-9\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(r.status()).as(r.bodyText()).isEqualTo(201);
    }

    @Test
    void usedExpiredAndWrongCodesHaveTheirOwnStatus() throws Exception {
        assertThat(claim(bearer("alice", "acme"), body("acme-1", f.acme1Code)).status()).isEqualTo(200);
        JsonNode used = problem(claim(bearer("bob", "acme"), body("acme-1", f.acme1Code)), 409, "claim-code-used");
        assertThat(used.get("registrationId").asText()).isEqualTo("acme-1");
        problem(claim(bearer("bob", "acme"), body("acme-2", f.acme1Code)), 403, "claim-code-mismatch");

        f.clock.advance(Duration.ofDays(31));
        problem(claim(bearer("bob", "acme"), body("acme-2", f.acme2Code)), 410, "claim-code-expired");
        assertThat(f.store.findAssignment("acme-2")).isEmpty();
    }

    @Test
    void anotherTenantsDeviceGetsTheSameAnswerAsOneThatDoesNotExist() throws Exception {
        String greg = bearer("greg", "globex");
        Ownership before = f.record("acme-1");

        ApiResponse foreign = claim(greg, body("acme-1", f.acme1Code));
        ApiResponse foreignWrongCode = claim(greg, body("acme-1", "AAAA-BBBB-CCCC-DDDD"));
        // The same request to an API whose registry has no acme-1 at all.
        ClaimsFixture empty = new ClaimsFixture();
        empty.ownership().remove("acme-1", empty.record("acme-1").version());
        ProvisioningApi emptyApi = ProvisioningApi.builder(empty.zeroTouch).claims(empty.claims).build();
        ApiResponse unknown = claim(emptyApi, greg, body("acme-1", f.acme1Code));

        problem(unknown, 404, "claim-not-found");
        for (ApiResponse r : new ApiResponse[] {foreign, foreignWrongCode}) {
            assertThat(r.status()).isEqualTo(unknown.status());
            assertThat(r.headers()).isEqualTo(unknown.headers());
            assertThat(r.bodyText()).isEqualTo(unknown.bodyText());
        }
        assertThat(f.record("acme-1")).isEqualTo(before);
        assertThat(f.store.findAssignment("acme-1")).isEmpty();
    }

    @Test
    void bruteForceIsCutOffWith429EvenForTheRightCodeAndAllowedAgainLater() throws Exception {
        String alice = bearer("alice", "acme");
        for (int i = 0; i < 10; i++) {
            problem(claim(alice, body("acme-1", "AAAA-BBBB-CCCC-DDD" + i)), 403, "claim-code-mismatch");
        }
        ApiResponse limited = claim(alice, body("acme-1", f.acme1Code));
        JsonNode p = problem(limited, 429, "claim-rate-limited");
        assertThat(limited.headers()).containsEntry("Retry-After", "6");
        assertThat(p.get("retryAfterSeconds").asLong()).isEqualTo(6);
        assertThat(f.record("acme-1").claim().orElseThrow().isUsed()).isFalse();

        // Another installer is not affected.
        problem(claim(bearer("bob", "acme"), body("acme-1", "AAAA-BBBB-CCCC-DDDD")), 403, "claim-code-mismatch");

        f.clock.advance(Duration.ofSeconds(6));
        assertThat(claim(alice, body("acme-1", f.acme1Code)).status()).isEqualTo(200);
    }

    @Test
    void installerTokensAreChecked() throws Exception {
        String body = body("acme-1", f.acme1Code);
        assertThat(problem(claim(null, body), 401, "authentication-required").get("status").asInt()).isEqualTo(401);
        assertThat(claim(null, body).headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"multiscope\"");
        problem(claim("Bearer ", body), 401, "authentication-required");
        String sas = SasToken.forDevice(SasToken.deviceResource("multiscope", "acme-1"),
                SasToken.deriveDeviceKey(ClaimsFixture.DEVICE_GROUP_KEY, "acme-1"), f.clock.instant().plusSeconds(60));
        problem(claim(sas, body), 401, "authentication-required");

        InstallerIdentity alice = new InstallerIdentity("alice", "acme");
        String expired = f.tokens.issue(alice, Duration.ofMinutes(5));
        String notYetValid = mint("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"alice\",\"tenant\":\"acme\","
                + "\"nbf\":" + f.clock.instant().plusSeconds(3600).getEpochSecond() + ",\"exp\":"
                + f.clock.instant().plusSeconds(7200).getEpochSecond() + "}", ClaimsFixture.TOKEN_KEY);
        String valid = f.tokens.issue(alice, Duration.ofHours(1));
        String badSignature = valid.substring(0, valid.length() - 4) + (valid.endsWith("AAAA") ? "BBBB" : "AAAA");
        String algNone = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + valid.split("\\.")[1] + ".";
        String wrongKey = HmacInstallerTokens.builder("a-different-installer-key-32-byt".getBytes(StandardCharsets.UTF_8))
                .clock(f.clock).build().issue(alice, Duration.ofHours(1));
        String noTenant = mint("{\"alg\":\"HS256\"}", "{\"sub\":\"alice\",\"exp\":"
                + f.clock.instant().plusSeconds(600).getEpochSecond() + "}", ClaimsFixture.TOKEN_KEY);
        f.clock.advance(Duration.ofMinutes(7));

        Map<String, String> cases = Map.of(
                expired, "token-expired",
                notYetValid, "token-not-yet-valid",
                badSignature, "invalid-signature",
                algNone, "unsupported-token-algorithm",
                wrongKey, "invalid-signature",
                noTenant, "missing-token-claim",
                "not-a-jwt", "invalid-token");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ApiResponse r = claim("Bearer " + c.getKey(), body);
            problem(r, 401, c.getValue());
            assertThat(r.headers()).containsEntry("WWW-Authenticate",
                    "Bearer realm=\"multiscope\", error=\"invalid_token\"");
            assertThat(r.bodyText()).doesNotContain(c.getKey());
        }
        // None of them was counted against alice, nor changed anything.
        assertThat(f.record("acme-1").claim().orElseThrow().isUsed()).isFalse();
        assertThat(claim("bearer " + valid, body).status()).isEqualTo(200);
    }

    @Test
    void badInputIs400AndChangesNothing() throws Exception {
        String alice = bearer("alice", "acme");
        problem(claim(alice, "{\"registrationId\":\"acme-1\","), 400, "malformed-json");
        problem(claim(alice, "[]"), 400, "malformed-json");
        problem(claim(alice, "{\"registrationId\":\"acme-1\"}"), 400, "missing-field");
        problem(claim(alice, "{\"claimCode\":\"" + f.acme1Code + "\"}"), 400, "missing-field");
        problem(claim(alice, "{\"registrationId\":\"acme-1\",\"claimCode\":12345678}"), 400, "malformed-json");
        problem(claim(alice, "{\"registrationId\":\"acme-1\",\"claimCode\":\"" + f.acme1Code + "\",\"tenant\":\"x\"}"),
                400, "unknown-field");
        problem(claim(alice, body("acme-1", "A".repeat(65))), 400, "invalid-claim-code");
        problem(claim(alice, body("acme-1", "ABC")), 400, "invalid-claim-code");
        problem(claim(alice, body("acme_1!", f.acme1Code)), 400, "invalid-registration-id");
        problem(claim(alice, body("x".repeat(129), f.acme1Code)), 400, "invalid-registration-id");
        problem(claim(alice, "{\"registrationId\":\"acme-1\",\"claimCode\":\"" + "A".repeat(2000) + "\"}"), 413,
                "payload-too-large");
        Map<String, String> textPlain = Map.of("Authorization", alice, "Content-Type", "text/plain");
        assertThat(api.handle(ApiRequest.of("POST", "/v1/claims", textPlain,
                body("acme-1", f.acme1Code).getBytes(StandardCharsets.UTF_8))).status()).isEqualTo(415);

        assertThat(f.record("acme-1").claim().orElseThrow().isUsed()).isFalse();
        assertThat(f.assignedDevices()).isZero();
    }

    @Test
    void onlyPostOnTheCollectionAndOnlyWhenEnabled() throws Exception {
        ApiResponse get = api.handle(ApiRequest.of("GET", "/v1/claims", Map.of(), new byte[0]));
        problem(get, 405, "method-not-allowed");
        assertThat(get.headers()).containsEntry("Allow", "POST");
        problem(api.handle(ApiRequest.of("POST", "/v1/claims/acme-1", Map.of(), new byte[0])), 404, "not-found");

        ProvisioningApi withoutClaims = ProvisioningApi.of(f.zeroTouch);
        problem(claim(withoutClaims, bearer("alice", "acme"), body("acme-1", f.acme1Code)), 404, "not-found");
        assertThat(f.record("acme-1").claim().orElseThrow().isUsed()).isFalse();
    }

    private static String mint(String header, String payload, byte[] key) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }
}
