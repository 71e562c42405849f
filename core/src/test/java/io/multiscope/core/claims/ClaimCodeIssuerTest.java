package io.multiscope.core.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.ownership.ClaimCode;
import io.multiscope.core.ownership.InMemoryOwnershipRegistry;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.time.VirtualClock;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClaimCodeIssuerTest {

    static final byte[] PEPPER = "pepper-for-claim-code-tests-32b!".getBytes(StandardCharsets.US_ASCII);

    final VirtualClock clock = VirtualClock.create();
    final InMemoryOwnershipRegistry registry = new InMemoryOwnershipRegistry(clock);
    final ClaimCodeHasher hasher = ClaimCodeHasher.withPepper("p1", PEPPER);
    final ClaimCodeIssuer issuer = ClaimCodeIssuer.builder(registry, hasher).clock(clock)
            .validity(Duration.ofDays(30)).build();

    Ownership record(String id) {
        return registry.find(id).orElseThrow();
    }

    @Test
    void issueAddsANewDeviceUnderItsOwnerWithAnUnusedHashedCode() {
        IssuedClaimCode issued = issuer.issue("Sensor-1", "acme");

        assertThat(issued.registrationId()).isEqualTo("sensor-1");
        assertThat(issued.code()).matches("\\w{4}-\\w{4}-\\w{4}-\\w{4}");
        assertThat(issued.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
        assertThat(issued.toString()).doesNotContain(issued.code());
        Ownership r = record("sensor-1");
        assertThat(r.owner()).isEqualTo("acme");
        ClaimCode claim = r.claim().orElseThrow();
        assertThat(claim.isUsed()).isFalse();
        assertThat(claim.expiresAt()).isEqualTo(issued.expiresAt());
        assertThat(claim.hash()).doesNotContain(ClaimCodes.normalise(issued.code()));
        assertThat(hasher.matches("sensor-1", issued.code(), claim.hash())).isTrue();
    }

    @Test
    void reissuingReplacesTheEarlierCodeEvenAUsedOne() {
        IssuedClaimCode first = issuer.issue("sensor-1", "acme");
        Ownership r = record("sensor-1");
        registry.update(r.withClaim(r.claim().orElseThrow().usedBy("alice", clock.instant())));

        IssuedClaimCode second = issuer.issue("sensor-1", "acme");

        ClaimCode claim = record("sensor-1").claim().orElseThrow();
        assertThat(claim.isUsed()).isFalse();
        assertThat(hasher.matches("sensor-1", second.code(), claim.hash())).isTrue();
        assertThat(hasher.matches("sensor-1", first.code(), claim.hash())).isFalse();
    }

    @Test
    void aDeviceOfAnotherOwnerIsRefusedAndLeftAlone() {
        registry.register(NewOwnership.of("sensor-1", "globex"));
        Ownership before = record("sensor-1");

        assertThatThrownBy(() -> issuer.issue("sensor-1", "acme")).isInstanceOfSatisfying(
                InvalidRequestException.class, e -> assertThat(e.problemType()).isEqualTo("owner-mismatch"));
        assertThatThrownBy(() -> issuer.attach("sensor-1", "acme", "7KQ4-M2XD-9HTB-R0CE",
                clock.instant().plus(Duration.ofDays(1)))).isInstanceOf(InvalidRequestException.class);
        assertThat(record("sensor-1")).isEqualTo(before);
    }

    @Test
    void attachIsIdempotentReplacesUnusedCodesAndNeverReopensAUsedOne() {
        Instant expiry = clock.instant().plus(Duration.ofDays(90));
        assertThat(issuer.attach("sensor-1", "acme", "7KQ4-M2XD-9HTB-R0CE", expiry))
                .isEqualTo(ClaimCodeIssuer.AttachOutcome.ADDED);
        long version = record("sensor-1").version();
        assertThat(issuer.attach("SENSOR-1", "acme", "7kq4m2xd9htbr0ce", expiry))
                .isEqualTo(ClaimCodeIssuer.AttachOutcome.UNCHANGED);
        assertThat(record("sensor-1").version()).isEqualTo(version);

        assertThat(issuer.attach("sensor-1", "acme", "7KQ4-M2XD-9HTB-R0CE", expiry.plus(Duration.ofDays(1))))
                .isEqualTo(ClaimCodeIssuer.AttachOutcome.UPDATED);
        assertThat(record("sensor-1").claim().orElseThrow().expiresAt()).isEqualTo(expiry.plus(Duration.ofDays(1)));
        assertThat(issuer.attach("sensor-1", "acme", "3W8P-YJ6N-CQ1F-ZS5A", expiry))
                .isEqualTo(ClaimCodeIssuer.AttachOutcome.UPDATED);
        assertThat(hasher.matches("sensor-1", "3W8P-YJ6N-CQ1F-ZS5A", record("sensor-1").claim().orElseThrow().hash()))
                .isTrue();

        Ownership r = record("sensor-1");
        registry.update(r.withClaim(r.claim().orElseThrow().usedBy("alice", clock.instant())));
        Ownership used = record("sensor-1");
        assertThat(issuer.attach("sensor-1", "acme", "3W8P-YJ6N-CQ1F-ZS5A", expiry))
                .isEqualTo(ClaimCodeIssuer.AttachOutcome.UNCHANGED);
        assertThatThrownBy(() -> issuer.attach("sensor-1", "acme", "7KQ4-M2XD-9HTB-R0CE", expiry))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.problemType()).isEqualTo("claim-code-used"));
        assertThat(record("sensor-1")).isEqualTo(used);
    }

    @Test
    void attachRefusesBadInputAndChangesNothing() {
        Instant expiry = clock.instant().plus(Duration.ofDays(1));
        assertThatThrownBy(() -> issuer.attach("bad id!", "acme", "7KQ4-M2XD-9HTB-R0CE", expiry))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> issuer.attach("sensor-1", "acme", "7KQ4", expiry))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> issuer.attach("sensor-1", "ac me", "7KQ4-M2XD-9HTB-R0CE", expiry))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> issuer.attach("sensor-1", "acme", "7KQ4-M2XD-9HTB-R0CE", clock.instant()))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.problemType()).isEqualTo("invalid-expiry"));
        assertThat(registry.find("sensor-1")).isEmpty();
    }

    @Test
    void aCsvImportAttachesValidRowsAndReportsTheOthersWithoutTheirCodes() {
        registry.register(NewOwnership.of("globex-1", "globex"));
        String csv = """
                # factory batch 7
                registration_id,claim_code,expires_at
                acme-1,7KQ4-M2XD-9HTB-R0CE,2026-12-31T23:59:59Z
                acme-2,3W8P-YJ6N-CQ1F-ZS5A,

                acme-3,NOT-A-CODE!,
                acme-1,3W8P-YJ6N-CQ1F-ZS5B,
                bad id,3W8P-YJ6N-CQ1F-ZS5C,
                globex-1,3W8P-YJ6N-CQ1F-ZS5D,
                acme-4,3W8P-YJ6N-CQ1F-ZS5E,yesterday
                acme-5,3W8P-YJ6N-CQ1F-ZS5F,2025-01-01T00:00:00Z
                acme-6,3W8P-YJ6N-CQ1F-ZS5G
                """;

        ClaimCodeImportReport report = issuer.importCsv("batch-7", "acme", new StringReader(csv));

        assertThat(report.rows()).isEqualTo(9);
        assertThat(report.added()).isEqualTo(2);
        assertThat(report.rejectedCount()).isEqualTo(7);
        assertThat(report.rejected()).extracting(ClaimCodeImportReport.RejectedRow::line)
                .containsExactly(6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(report.rejected()).allSatisfy(row -> assertThat(row.reason()).doesNotContain("3W8P", "ZS5"));
        assertThat(report.rejected().get(1).reason()).contains("line 3");
        assertThat(report.rejected().get(3).reason()).contains("not owned by 'acme'");
        assertThat(record("acme-1").claim().orElseThrow().expiresAt()).isEqualTo(Instant.parse("2026-12-31T23:59:59Z"));
        assertThat(record("acme-2").claim().orElseThrow().expiresAt())
                .isEqualTo(clock.instant().plus(Duration.ofDays(30)));
        assertThat(registry.find("acme-3")).isEmpty();
        assertThat(registry.find("acme-4")).isEmpty();
        assertThat(record("globex-1").claim()).isEmpty();

        clock.advance(Duration.ofHours(1));
        ClaimCodeImportReport again = issuer.importCsv("batch-7", "acme", new StringReader(csv));
        assertThat(again.added()).isZero();
        assertThat(again.unchanged()).as("acme-1 keeps its code and expiry; acme-2's default expiry is recomputed")
                .isEqualTo(1);
        assertThat(again.updated()).isEqualTo(1);
    }

    @Test
    void aCsvWithoutHeaderOrWithUnknownColumnsImportsNothing() {
        assertThatThrownBy(() -> issuer.importCsv("empty", "acme", new StringReader("# nothing\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no header");
        assertThatThrownBy(() -> issuer.importCsv("odd", "acme",
                new StringReader("registration_id,code\nacme-1,7KQ4-M2XD-9HTB-R0CE\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown column 'code'");
        assertThat(registry.find("acme-1")).isEmpty();
    }
}
