package io.multiscope.core.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.time.VirtualClock;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SymmetricKeyAttestationTest {

    private static final SplittableRandom RANDOM = new SplittableRandom(2026);
    private static final String GROUP_KEY = key(64);
    private static final String SECONDARY_GROUP_KEY = key(64);
    private static final String OTHER_GROUP_KEY = key(64);

    private final VirtualClock clock = VirtualClock.create();
    /** Every secret a test handed out; no error message may contain one. */
    private final List<String> secrets = new ArrayList<>(List.of(GROUP_KEY, SECONDARY_GROUP_KEY, OTHER_GROUP_KEY));

    static String key(int bytes) {
        byte[] key = new byte[bytes];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private SymmetricKeyAttestation.Builder builder() {
        return SymmetricKeyAttestation.builder().clock(clock);
    }

    /** A token as the Azure Java device SDK makes it, for {@code multiscope/registrations/{id}}, valid for 1 hour. */
    private String token(String registrationId, String deviceKey) {
        return token("multiscope/registrations/" + registrationId, deviceKey, clock.instant().plusSeconds(3600));
    }

    private String token(String resource, String deviceKey, Instant expiresAt) {
        String token = SasToken.forDevice(resource, deviceKey, expiresAt);
        secrets.add(deviceKey);
        secrets.add(token.substring(token.indexOf("sig=") + 4, token.indexOf("&se=")));
        return token;
    }

    private static String groupDerived(String groupKey, String registrationId) {
        return SasToken.deriveDeviceKey(groupKey, registrationId);
    }

    private AttestationException refused(Attestation attestation, AttestationRequest request, String problemType) {
        AttestationException e = org.junit.jupiter.api.Assertions.assertThrows(AttestationException.class,
                () -> attestation.verify(request));
        assertThat(e.problemType()).isEqualTo(problemType);
        assertThat(e.registrationId()).contains(request.registrationId());
        assertThat(e.getMessage()).contains("'" + request.registrationId() + "'");
        for (String secret : secrets) {
            assertThat(e.getMessage()).doesNotContain(secret)
                    .doesNotContain(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        }
        return e;
    }

    @Nested
    class GroupKeys {

        private final SymmetricKeyAttestation attestation = builder().groupKey(GROUP_KEY).build();

        @Test
        void acceptsATokenSignedWithTheGroupDerivedKey() {
            String header = token("Sensor-0042", groupDerived(GROUP_KEY, "Sensor-0042"));

            AttestedIdentity identity = attestation.verify(AttestationRequest.withAuthorization("Sensor-0042", header));

            assertThat(identity.registrationId()).isEqualTo("sensor-0042");
            assertThat(identity.tenant()).isEmpty();
            assertThat(identity.method()).isEqualTo(AttestedIdentity.SYMMETRIC_KEY);
            assertThat(identity.claims()).containsEntry("keySource", "group").containsEntry("groupKey", "primary")
                    .containsEntry("tokenExpiresAt", "2026-01-01T01:00:00Z");
        }

        @Test
        void theFactoryUsesTheSameRules() {
            SymmetricKeyAttestation simple = SymmetricKeyAttestation.withGroupKey(GROUP_KEY);
            String header = SasToken.forDevice("multiscope/registrations/dev-1", groupDerived(GROUP_KEY, "dev-1"),
                    Instant.now().plusSeconds(600));
            assertThat(simple.verify(AttestationRequest.withAuthorization("dev-1", header)).registrationId())
                    .isEqualTo("dev-1");
        }

        @Test
        void acceptsTheFormOtherSdksSign() {
            // The docs' recipe and the C/Node SDKs sign the URL-encoded resource and set skn=registration.
            String resource = URLEncoder.encode("multiscope/registrations/dev-1", StandardCharsets.UTF_8);
            long se = clock.instant().plusSeconds(600).getEpochSecond();
            String signature = SasToken.sign(Base64.getDecoder().decode(groupDerived(GROUP_KEY, "dev-1")),
                    resource + "\n" + se);
            String header = "SharedAccessSignature sr=" + resource + "&sig="
                    + URLEncoder.encode(signature, StandardCharsets.UTF_8) + "&se=" + se + "&skn=registration";

            assertThat(attestation.verify(AttestationRequest.withAuthorization("dev-1", header)).registrationId())
                    .isEqualTo("dev-1");
        }

        @Test
        void matchesTheResourceIgnoringCase() {
            String header = token("MULTISCOPE/Registrations/dev-1", groupDerived(GROUP_KEY, "dev-1"),
                    clock.instant().plusSeconds(600));
            assertThat(attestation.verify(AttestationRequest.withAuthorization("dev-1", header)).registrationId())
                    .isEqualTo("dev-1");
        }

        @Test
        void theSecondaryKeyWorksToo() {
            SymmetricKeyAttestation both = builder().groupKey(GROUP_KEY, SECONDARY_GROUP_KEY).build();
            String header = token("dev-1", groupDerived(SECONDARY_GROUP_KEY, "dev-1"));

            assertThat(both.verify(AttestationRequest.withAuthorization("dev-1", header)).claims())
                    .containsEntry("groupKey", "secondary");
        }

        @Test
        void refusesAKeyDerivedFromAnotherGroupKey() {
            String header = token("dev-1", groupDerived(OTHER_GROUP_KEY, "dev-1"));
            refused(attestation, AttestationRequest.withAuthorization("dev-1", header),
                    AttestationException.INVALID_SIGNATURE);
        }

        @Test
        void refusesTheGroupKeyItselfUsedAsADeviceKey() {
            String header = token("dev-1", GROUP_KEY);
            refused(attestation, AttestationRequest.withAuthorization("dev-1", header),
                    AttestationException.INVALID_SIGNATURE);
        }

        @Test
        void refusesAKeyDerivedForAnotherDevice() {
            String header = token("dev-2", groupDerived(GROUP_KEY, "dev-1"));
            refused(attestation, AttestationRequest.withAuthorization("dev-2", header),
                    AttestationException.INVALID_SIGNATURE);
        }
    }

    @Nested
    class Tokens {

        private final SymmetricKeyAttestation attestation = builder().groupKey(GROUP_KEY).build();
        private final String deviceKey = groupDerived(GROUP_KEY, "dev-a");

        @Test
        void aMissingHeaderAsksForAuthentication() {
            AttestationException e = refused(attestation,
                    new AttestationRequest("dev-a", Optional.empty(), List.of()),
                    AttestationException.AUTHENTICATION_REQUIRED);
            assertThat(e.getMessage()).contains("multiscope/registrations/dev-a");
        }

        @Test
        void malformedHeadersAreInvalidTokensAndNotRepeated() {
            secrets.add("eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWJlYXJlcg");
            for (String header : List.of("Bearer eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWJlYXJlcg", "SharedAccessSignature ",
                    "SharedAccessSignature sr=multiscope/registrations/dev-a&se=1767229200",
                    "SharedAccessSignature sr=multiscope/registrations/dev-a&sig=abc&se=soon",
                    "SharedAccessSignature sr=multiscope/registrations/dev-a&sig=abc&se=99999999999999999",
                    "")) {
                refused(attestation, AttestationRequest.withAuthorization("dev-a", header),
                        AttestationException.INVALID_TOKEN);
            }
        }

        @Test
        void aForgedSignatureIsRefused() {
            String header = token("dev-a", key(64));
            refused(attestation, AttestationRequest.withAuthorization("dev-a", header),
                    AttestationException.INVALID_SIGNATURE);
        }

        @Test
        void aTamperedExpiryBreaksTheSignature() {
            String header = token("dev-a", deviceKey);
            long se = clock.instant().plusSeconds(3600).getEpochSecond();
            String extended = header.replace("&se=" + se, "&se=" + (se + 7200));
            refused(attestation, AttestationRequest.withAuthorization("dev-a", extended),
                    AttestationException.INVALID_SIGNATURE);
        }

        @Test
        void aTokenForDeviceAUsedByDeviceBIsRefused() {
            String header = token("dev-a", deviceKey);
            AttestationException e = refused(attestation, AttestationRequest.withAuthorization("dev-b", header),
                    AttestationException.WRONG_DEVICE);
            assertThat(e.getMessage()).contains("multiscope/registrations/dev-a")
                    .contains("multiscope/registrations/dev-b");
        }

        @Test
        void aTokenForAnotherScopeSaysSo() {
            String header = token("0ne0001A1B2/registrations/dev-a", deviceKey, clock.instant().plusSeconds(600));
            AttestationException e = refused(attestation, AttestationRequest.withAuthorization("dev-a", header),
                    AttestationException.INVALID_TOKEN);
            assertThat(e.getMessage()).contains("scope '0ne0001A1B2'").contains("expects 'multiscope'");
        }

        @Test
        void anExpiredTokenIsRefusedAfterTheAllowedSkew() {
            String withinSkew = token("multiscope/registrations/dev-a", deviceKey,
                    clock.instant().minus(Duration.ofMinutes(4)));
            assertThat(attestation.verify(AttestationRequest.withAuthorization("dev-a", withinSkew)).registrationId())
                    .isEqualTo("dev-a");

            String expired = token("multiscope/registrations/dev-a", deviceKey,
                    clock.instant().minus(Duration.ofMinutes(6)));
            AttestationException e = refused(attestation, AttestationRequest.withAuthorization("dev-a", expired),
                    AttestationException.TOKEN_EXPIRED);
            assertThat(e.getMessage()).contains("expired at 2025-12-31T23:54:00Z");
        }

        @Test
        void tokensExpireAsTheClockMoves() {
            String header = token("dev-a", deviceKey); // valid for one hour
            AttestationRequest request = AttestationRequest.withAuthorization("dev-a", header);
            attestation.verify(request);
            clock.advance(Duration.ofMinutes(66));
            refused(attestation, request, AttestationException.TOKEN_EXPIRED);
        }

        @Test
        void aTokenValidForTooLongIsRefused() {
            String longLived = token("multiscope/registrations/dev-a", deviceKey,
                    clock.instant().plus(Duration.ofDays(365)));
            AttestationException e = refused(attestation, AttestationRequest.withAuthorization("dev-a", longLived),
                    AttestationException.TOKEN_LIFETIME_TOO_LONG);
            assertThat(e.getMessage()).contains("PT24H");

            String justInside = token("multiscope/registrations/dev-a", deviceKey,
                    clock.instant().plus(Duration.ofDays(1)).plus(Duration.ofMinutes(4)));
            assertThat(attestation.verify(AttestationRequest.withAuthorization("dev-a", justInside))).isNotNull();
        }

        @Test
        void aShorterLifetimeAndSkewCanBeConfigured() {
            SymmetricKeyAttestation strict = builder().groupKey(GROUP_KEY).maxTokenLifetime(Duration.ofHours(1))
                    .maxClockSkew(Duration.ZERO).build();
            refused(strict, AttestationRequest.withAuthorization("dev-a", token("multiscope/registrations/dev-a",
                    deviceKey, clock.instant().plus(Duration.ofHours(2)))),
                    AttestationException.TOKEN_LIFETIME_TOO_LONG);
            refused(strict, AttestationRequest.withAuthorization("dev-a", token("multiscope/registrations/dev-a",
                    deviceKey, clock.instant().minusSeconds(1))), AttestationException.TOKEN_EXPIRED);
        }

        @Test
        void aRegistrationIdBreakingDpsRulesIsAnInvalidRequest() {
            assertThatThrownBy(() -> attestation.verify(AttestationRequest.withAuthorization("dev/a", "x")))
                    .isInstanceOf(InvalidRequestException.class)
                    .satisfies(e -> assertThat(((InvalidRequestException) e).problemType())
                            .isEqualTo("invalid-registration-id"));
        }

        @Test
        void aCustomScopeIsWhatDevicesSign() {
            SymmetricKeyAttestation scoped = builder().scope("acme-provisioning").groupKey(GROUP_KEY).build();
            assertThat(scoped.resourceFor("dev-a")).isEqualTo("acme-provisioning/registrations/dev-a");
            String header = token("acme-provisioning/registrations/dev-a", deviceKey, clock.instant().plusSeconds(60));
            assertThat(scoped.verify(AttestationRequest.withAuthorization("dev-a", header)).registrationId())
                    .isEqualTo("dev-a");
            refused(scoped, AttestationRequest.withAuthorization("dev-a", token("dev-a", deviceKey)),
                    AttestationException.INVALID_TOKEN);
        }

        @Test
        void theRequestNeverPrintsItsToken() {
            String header = token("dev-a", deviceKey);
            assertThat(AttestationRequest.withAuthorization("dev-a", header).toString())
                    .doesNotContain(header.substring(header.indexOf("sig=") + 4, header.indexOf("&se=")))
                    .contains("dev-a");
        }
    }

    @Nested
    class IndividualKeys {

        private final String individualKey = key(32);
        private final List<String> lookedUp = new ArrayList<>();
        private final SymmetricKeyAttestation attestation = builder().groupKey(GROUP_KEY).individualKeys(id -> {
            lookedUp.add(id);
            return id.equals("vip-1") ? Optional.of(individualKey) : Optional.empty();
        }).build();

        @Test
        void aDeviceWithAnIndividualKeySignsWithIt() {
            String header = token("VIP-1", individualKey);
            AttestedIdentity identity = attestation.verify(AttestationRequest.withAuthorization("VIP-1", header));

            assertThat(identity.registrationId()).isEqualTo("vip-1");
            assertThat(identity.claims()).containsEntry("keySource", "individual");
            assertThat(lookedUp).containsExactly("vip-1");
        }

        @Test
        void theIndividualKeyWinsOverTheGroup() {
            String header = token("vip-1", groupDerived(GROUP_KEY, "vip-1"));
            refused(attestation, AttestationRequest.withAuthorization("vip-1", header),
                    AttestationException.INVALID_SIGNATURE);
        }

        @Test
        void devicesWithoutOneStillUseTheGroup() {
            String header = token("dev-7", groupDerived(GROUP_KEY, "dev-7"));
            assertThat(attestation.verify(AttestationRequest.withAuthorization("dev-7", header)).claims())
                    .containsEntry("keySource", "group");
        }

        @Test
        void anUnknownDeviceLooksLikeABadSignature() {
            SymmetricKeyAttestation individualOnly = SymmetricKeyAttestation.builder().clock(clock)
                    .individualKeys(id -> Optional.empty()).build();
            AttestationException unknown = refused(individualOnly,
                    AttestationRequest.withAuthorization("ghost-1", token("ghost-1", key(32))),
                    AttestationException.INVALID_SIGNATURE);
            AttestationException forged = refused(attestation,
                    AttestationRequest.withAuthorization("ghost-1", token("ghost-1", key(32))),
                    AttestationException.INVALID_SIGNATURE);
            assertThat(unknown.getMessage()).isEqualTo(forged.getMessage());
        }

        @Test
        void aResolverReturningNullIsABug() {
            SymmetricKeyAttestation broken = builder().individualKeys(id -> null).build();
            assertThatThrownBy(() -> broken.verify(AttestationRequest.withAuthorization("dev-1",
                    token("dev-1", key(32))))).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("Optional.empty()");
        }
    }

    @Nested
    class Tenants {

        private final String acmeKey = key(64);
        private final String globexPrimary = key(64);
        private final String globexSecondary = key(64);
        private final SymmetricKeyAttestation attestation = builder()
                .tenantGroupKey("acme", acmeKey)
                .tenantGroupKey("globex", globexPrimary, globexSecondary)
                .build();

        @Test
        void theGroupThatMatchedNamesTheTenant() {
            assertThat(verify("dev-1", groupDerived(acmeKey, "dev-1")).tenant()).contains("acme");
            assertThat(verify("dev-2", groupDerived(globexPrimary, "dev-2")).tenant()).contains("globex");
            assertThat(verify("dev-3", groupDerived(globexSecondary, "dev-3")).tenant()).contains("globex");
        }

        @Test
        void aKeyOfNoTenantIsRefused() {
            refused(attestation, AttestationRequest.withAuthorization("dev-1",
                    token("dev-1", groupDerived(GROUP_KEY, "dev-1"))), AttestationException.INVALID_SIGNATURE);
        }

        private AttestedIdentity verify(String id, String deviceKey) {
            return attestation.verify(AttestationRequest.withAuthorization(id, token(id, deviceKey)));
        }
    }

    @Nested
    class Validation {

        @Test
        void needsAKeySource() {
            expectInvalid(b -> b.build(), "at least one group key or an individual key resolver");
        }

        @Test
        void rejectsBadKeysWithoutRepeatingThem() {
            String notBase64 = "not base64 at all!";
            expectInvalid(b -> b.groupKey(notBase64), "primary group key without tenant is not valid base64",
                    notBase64);
            String shortKey = Base64.getEncoder().encodeToString(new byte[8]);
            expectInvalid(b -> b.tenantGroupKey("acme", GROUP_KEY, shortKey),
                    "secondary group key of tenant 'acme' is 8 bytes long", shortKey);
            expectInvalid(b -> b.groupKey(GROUP_KEY, GROUP_KEY), "are the same key", GROUP_KEY);
        }

        @Test
        void rejectsAKeyOrTenantConfiguredTwice() {
            expectInvalid(b -> b.tenantGroupKey("acme", GROUP_KEY).tenantGroupKey("globex", OTHER_GROUP_KEY,
                    GROUP_KEY), "already configured for the group key of tenant 'acme'", GROUP_KEY);
            expectInvalid(b -> b.tenantGroupKey("acme", GROUP_KEY).tenantGroupKey("acme", OTHER_GROUP_KEY),
                    "tenant 'acme' already has a group key");
            expectInvalid(b -> b.tenantGroupKey(" ", GROUP_KEY), "tenant must not be blank");
        }

        @Test
        void rejectsBadSettings() {
            expectInvalid(b -> b.scope("a/b"), "scope must be a non-blank name without '/'");
            expectInvalid(b -> b.scope(" "), "scope must be a non-blank name");
            expectInvalid(b -> b.maxClockSkew(Duration.ofHours(2)), "maxClockSkew must be between 0 and 1 hour");
            expectInvalid(b -> b.maxTokenLifetime(Duration.ZERO), "maxTokenLifetime must be > 0");
            expectInvalid(b -> b.maxTokenLifetime(Duration.ofDays(400)), "at most 365 days");
            assertThatThrownBy(() -> SymmetricKeyAttestation.builder().individualKeys(null))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> SymmetricKeyAttestation.withGroupKey(GROUP_KEY).verify(null))
                    .isInstanceOf(NullPointerException.class);
        }

        private void expectInvalid(Consumer<SymmetricKeyAttestation.Builder> setting, String message,
                String... mustNotAppear) {
            ThrowingCallable call = () -> setting.accept(SymmetricKeyAttestation.builder());
            assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message)
                    .satisfies(e -> {
                        for (String secret : mustNotAppear) {
                            assertThat(e.getMessage()).doesNotContain(secret);
                        }
                    });
        }
    }

    @Test
    void claimsHoldNoSecrets() {
        SymmetricKeyAttestation attestation = builder().groupKey(GROUP_KEY).build();
        String header = token("dev-1", groupDerived(GROUP_KEY, "dev-1"));
        Map<String, String> claims = attestation.verify(AttestationRequest.withAuthorization("dev-1", header))
                .claims();
        for (String secret : secrets) {
            assertThat(claims.values()).noneMatch(v -> v.contains(secret));
        }
    }
}
