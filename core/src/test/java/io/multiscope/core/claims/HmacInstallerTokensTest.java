package io.multiscope.core.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.multiscope.core.time.VirtualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

class HmacInstallerTokensTest {

    static final byte[] KEY = "installer-token-key-of-32-bytes!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OTHER_KEY = "another-installer-key-32-bytes!!".getBytes(StandardCharsets.US_ASCII);
    static final InstallerIdentity ALICE = new InstallerIdentity("alice@acme", "acme");

    final VirtualClock clock = VirtualClock.create();
    final HmacInstallerTokens tokens = HmacInstallerTokens.builder(KEY).clock(clock).build();

    /** A JWT made here, independently of the class under test. */
    static String mint(Map<String, Object> header, Map<String, Object> payload, byte[] key) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(json.writeValueAsBytes(header)) + "."
                + b64.encodeToString(json.writeValueAsBytes(payload));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    static Map<String, Object> hs256() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", "HS256");
        h.put("typ", "JWT");
        return h;
    }

    Map<String, Object> claims() {
        long now = clock.instant().getEpochSecond();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("sub", "alice@acme");
        p.put("tenant", "acme");
        p.put("iat", now);
        p.put("exp", now + 600);
        return p;
    }

    static void refused(ThrowableAssert.ThrowingCallable call, String type) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InstallerAuthenticationException.class,
                e -> assertThat(e.problemType()).as(e.getMessage()).isEqualTo(type));
    }

    @Test
    void anIssuedTokenVerifiesToItsInstaller() throws Exception {
        String token = tokens.issue(ALICE, Duration.ofHours(8));

        assertThat(tokens.verify(token)).isEqualTo(ALICE);
        // A token minted elsewhere with the same key and claims is accepted too: it is plain HS256.
        assertThat(tokens.verify(mint(hs256(), claims(), KEY))).isEqualTo(ALICE);
        // The payload carries what the class documents.
        Map<String, Object> payload = new ObjectMapper().<Map<String, Object>>readValue(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        assertThat(payload.keySet()).containsExactly("sub", "tenant", "iat", "nbf", "exp");
        assertThat(((Number) payload.get("exp")).longValue() - ((Number) payload.get("iat")).longValue())
                .isEqualTo(8 * 3600);
    }

    @Test
    void anExpiredTokenIsRefusedOnceTheClockSkewHasPassed() {
        String token = tokens.issue(ALICE, Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(10).plusSeconds(59));
        assertThat(tokens.verify(token)).isEqualTo(ALICE); // within the 60 s of allowed skew

        clock.advance(Duration.ofSeconds(1));
        refused(() -> tokens.verify(token), InstallerAuthenticationException.TOKEN_EXPIRED);
    }

    @Test
    void aTokenNotYetValidIsRefused() throws Exception {
        Map<String, Object> early = claims();
        early.put("nbf", clock.instant().plusSeconds(120).getEpochSecond());
        refused(() -> tokens.verify(mint(hs256(), early, KEY)), InstallerAuthenticationException.TOKEN_NOT_YET_VALID);

        Map<String, Object> issuedInTheFuture = claims();
        issuedInTheFuture.put("iat", clock.instant().plusSeconds(120).getEpochSecond());
        refused(() -> tokens.verify(mint(hs256(), issuedInTheFuture, KEY)),
                InstallerAuthenticationException.TOKEN_NOT_YET_VALID);

        // 30 s early is within the skew.
        Map<String, Object> slightlyEarly = claims();
        slightlyEarly.put("nbf", clock.instant().plusSeconds(30).getEpochSecond());
        assertThat(tokens.verify(mint(hs256(), slightlyEarly, KEY))).isEqualTo(ALICE);
    }

    @Test
    void aBadSignatureOrAlteredPayloadIsRefused() throws Exception {
        String token = tokens.issue(ALICE, Duration.ofHours(1));
        String[] parts = token.split("\\.");
        char last = parts[2].charAt(0);
        String flipped = parts[0] + "." + parts[1] + "." + (last == 'A' ? 'B' : 'A') + parts[2].substring(1);
        refused(() -> tokens.verify(flipped), InstallerAuthenticationException.INVALID_SIGNATURE);

        // Another tenant in the payload, the original signature kept: the classic tampering attempt.
        Map<String, Object> otherTenant = claims();
        otherTenant.put("tenant", "globex");
        String forgedPayload = mint(hs256(), otherTenant, KEY).split("\\.")[1];
        refused(() -> tokens.verify(parts[0] + "." + forgedPayload + "." + parts[2]),
                InstallerAuthenticationException.INVALID_SIGNATURE);
        refused(() -> tokens.verify(parts[0] + "." + parts[1] + "."),
                InstallerAuthenticationException.INVALID_SIGNATURE);
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
        String foreign = HmacInstallerTokens.builder(OTHER_KEY).clock(clock).build().issue(ALICE, Duration.ofHours(1));
        refused(() -> tokens.verify(foreign), InstallerAuthenticationException.INVALID_SIGNATURE);
        refused(() -> tokens.verify(mint(hs256(), claims(), OTHER_KEY)),
                InstallerAuthenticationException.INVALID_SIGNATURE);
    }

    @Test
    void algNoneAndEveryOtherAlgorithmAreRefusedBeforeTheSignature() throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        ObjectMapper json = new ObjectMapper();
        String unsigned = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(json.writeValueAsBytes(claims())) + ".";
        refused(() -> tokens.verify(unsigned), InstallerAuthenticationException.UNSUPPORTED_ALGORITHM);

        for (String alg : List.of("None", "HS512", "RS256", "hs256", "ES256")) {
            Map<String, Object> header = hs256();
            header.put("alg", alg);
            // Even signed correctly with the shared key: only HS256 is accepted.
            refused(() -> tokens.verify(mint(header, claims(), KEY)),
                    InstallerAuthenticationException.UNSUPPORTED_ALGORITHM);
        }
        Map<String, Object> noAlg = new LinkedHashMap<>(Map.of("typ", "JWT"));
        refused(() -> tokens.verify(mint(noAlg, claims(), KEY)), InstallerAuthenticationException.INVALID_TOKEN);
    }

    @Test
    void requiredClaimsMustBePresentAndWellFormed() throws Exception {
        for (String claim : List.of("sub", "tenant", "exp")) {
            Map<String, Object> p = claims();
            p.remove(claim);
            refused(() -> tokens.verify(mint(hs256(), p, KEY)), InstallerAuthenticationException.MISSING_CLAIM);
        }
        Map<String, Object> emptyTenant = claims();
        emptyTenant.put("tenant", "");
        refused(() -> tokens.verify(mint(hs256(), emptyTenant, KEY)), InstallerAuthenticationException.MISSING_CLAIM);
        Map<String, Object> badTenant = claims();
        badTenant.put("tenant", "acme corp/../x");
        refused(() -> tokens.verify(mint(hs256(), badTenant, KEY)), InstallerAuthenticationException.INVALID_TOKEN);
        Map<String, Object> numericTenant = claims();
        numericTenant.put("tenant", 42);
        refused(() -> tokens.verify(mint(hs256(), numericTenant, KEY)), InstallerAuthenticationException.INVALID_TOKEN);
        Map<String, Object> textExp = claims();
        textExp.put("exp", String.valueOf(clock.instant().getEpochSecond() + 600));
        refused(() -> tokens.verify(mint(hs256(), textExp, KEY)), InstallerAuthenticationException.INVALID_TOKEN);
    }

    @Test
    void aCustomTenantClaimIsRead() throws Exception {
        HmacInstallerTokens custom = HmacInstallerTokens.builder(KEY).clock(clock).tenantClaim("org_id").build();
        Map<String, Object> p = claims();
        p.remove("tenant");
        p.put("org_id", "acme");
        assertThat(custom.verify(mint(hs256(), p, KEY))).isEqualTo(ALICE);
        refused(() -> custom.verify(mint(hs256(), claims(), KEY)), InstallerAuthenticationException.MISSING_CLAIM);
    }

    @Test
    void issuerAndAudienceAreCheckedWhenConfigured() throws Exception {
        HmacInstallerTokens strict = HmacInstallerTokens.builder(KEY).clock(clock).issuer("https://id.acme.example")
                .audience("multiscope-claims").build();
        assertThat(strict.verify(strict.issue(ALICE, Duration.ofHours(1)))).isEqualTo(ALICE);

        Map<String, Object> p = claims();
        p.put("iss", "https://id.acme.example");
        p.put("aud", List.of("other-api", "multiscope-claims"));
        assertThat(strict.verify(mint(hs256(), p, KEY))).isEqualTo(ALICE);

        p.put("aud", "other-api");
        refused(() -> strict.verify(mint(hs256(), p, KEY)), InstallerAuthenticationException.WRONG_AUDIENCE);
        p.remove("aud");
        refused(() -> strict.verify(mint(hs256(), p, KEY)), InstallerAuthenticationException.WRONG_AUDIENCE);
        p.put("aud", "multiscope-claims");
        p.put("iss", "https://evil.example");
        refused(() -> strict.verify(mint(hs256(), p, KEY)), InstallerAuthenticationException.WRONG_ISSUER);
        // The unconfigured verifier ignores them.
        assertThat(tokens.verify(mint(hs256(), p, KEY))).isEqualTo(ALICE);
    }

    @Test
    void malformedTokensAreRefusedAsInvalid() throws Exception {
        String good = tokens.issue(ALICE, Duration.ofHours(1));
        String[] parts = good.split("\\.");
        refused(() -> tokens.verify(parts[0] + "." + parts[1]), InstallerAuthenticationException.INVALID_TOKEN);
        refused(() -> tokens.verify(good + ".x"), InstallerAuthenticationException.INVALID_TOKEN);
        refused(() -> tokens.verify(parts[0] + "=." + parts[1] + "." + parts[2]),
                InstallerAuthenticationException.INVALID_TOKEN);
        refused(() -> tokens.verify("not json.at.all"), InstallerAuthenticationException.INVALID_TOKEN);
        refused(() -> tokens.verify("x".repeat(HmacInstallerTokens.MAX_TOKEN_LENGTH + 1)),
                InstallerAuthenticationException.INVALID_TOKEN);
        refused(() -> tokens.verify(" "), InstallerAuthenticationException.AUTHENTICATION_REQUIRED);
        refused(() -> tokens.verify(null), InstallerAuthenticationException.AUTHENTICATION_REQUIRED);

        // Duplicate names: one parser could read the first tenant, another the second.
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long exp = clock.instant().getEpochSecond() + 600;
        String header = b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"sub\":\"alice@acme\",\"tenant\":\"acme\",\"tenant\":\"globex\","
                + "\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        String signature = b64.encodeToString(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));
        refused(() -> tokens.verify(header + "." + payload + "." + signature),
                InstallerAuthenticationException.INVALID_TOKEN);

        Map<String, Object> critical = hs256();
        critical.put("crit", List.of("exp"));
        refused(() -> tokens.verify(mint(critical, claims(), KEY)), InstallerAuthenticationException.INVALID_TOKEN);
        Map<String, Object> otherType = hs256();
        otherType.put("typ", "at+jwt+foo");
        refused(() -> tokens.verify(mint(otherType, claims(), KEY)), InstallerAuthenticationException.INVALID_TOKEN);
    }

    @Test
    void tokensValidForTooLongAreRefusedAndNotIssued() throws Exception {
        Map<String, Object> longLived = claims();
        longLived.put("exp", clock.instant().plus(Duration.ofDays(2)).getEpochSecond());
        refused(() -> tokens.verify(mint(hs256(), longLived, KEY)),
                InstallerAuthenticationException.TOKEN_LIFETIME_TOO_LONG);
        assertThatThrownBy(() -> tokens.issue(ALICE, Duration.ofHours(25))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tokens.issue(ALICE, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rotatedKeysVerifyByKeyId() throws Exception {
        HmacInstallerTokens before = HmacInstallerTokens.builder(OTHER_KEY).keyId("2025").clock(clock).build();
        String oldToken = before.issue(ALICE, Duration.ofHours(1));
        HmacInstallerTokens after = HmacInstallerTokens.builder(KEY).keyId("2026").verificationKey("2025", OTHER_KEY)
                .clock(clock).build();

        assertThat(after.verify(oldToken)).isEqualTo(ALICE);
        String newToken = after.issue(ALICE, Duration.ofHours(1));
        assertThat(newToken.split("\\.")[0]).isEqualTo(Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"2026\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(after.verify(newToken)).isEqualTo(ALICE);
        // The old key signs nothing new, and an unknown key id is refused.
        refused(() -> before.verify(newToken), InstallerAuthenticationException.INVALID_SIGNATURE);
        Map<String, Object> unknownKid = hs256();
        unknownKid.put("kid", "2024");
        refused(() -> after.verify(mint(unknownKid, claims(), KEY)), InstallerAuthenticationException.INVALID_SIGNATURE);
    }

    @Test
    void theBuilderRefusesWeakKeysAndBadSettings() {
        assertThatThrownBy(() -> HmacInstallerTokens.builder(new byte[31])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> HmacInstallerTokens.builder(KEY).maxClockSkew(Duration.ofMinutes(6)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HmacInstallerTokens.builder(KEY).tenantClaim("sub"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HmacInstallerTokens.builder(KEY).keyId("a").verificationKey("a", OTHER_KEY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tokens.toString()).doesNotContain(new String(KEY, StandardCharsets.US_ASCII));
    }

    @Test
    void theKeyIsCopiedSoLaterChangesToTheArrayDoNothing() {
        byte[] key = KEY.clone();
        HmacInstallerTokens t = HmacInstallerTokens.builder(key).clock(clock).build();
        String token = t.issue(ALICE, Duration.ofHours(1));
        key[0] ^= 1;
        assertThat(t.verify(token)).isEqualTo(ALICE);
    }
}
