package io.multiscope.core.hardwareid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HardwareIdImportTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC);

    final InMemoryHardwareIdRegistry registry = new InMemoryHardwareIdRegistry();
    final HardwareIdImport importer = new HardwareIdImport(registry, CLOCK);

    static String hash(String secret) {
        return HexFormat.of().formatHex(HardwareCredential.sha256(secret.getBytes(StandardCharsets.UTF_8)));
    }

    static String publicKey() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("EC").generateKeyPair();
        return Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    }

    @Test
    void importsValidRowsAndReportsEveryRejectedRowWithItsLineAndReason() throws Exception {
        String csv = """
                # ACME thermostats, lot 42
                hardware_id,secret_sha256,public_key
                ACME-TH-0001,%s,
                acme-th-0002,,%s
                acme-th-0003,%s
                acme-th-0004,not-hex,
                acme th 0005,%s,
                acme-th-0006,,
                acme-th-0007,%s,%s
                acme-th-0001,%s,
                acme-th-0008,,bm90IGEga2V5

                acme-th-0009,"%s",
                """.formatted(hash("s1"), publicKey(), hash("s3"), hash("s5"), hash("s7"), publicKey(), hash("s1"),
                hash("s9"));

        ImportReport report = importer.importCsv("lot-42.csv", new StringReader(csv));

        assertThat(report.rows()).isEqualTo(10);
        assertThat(report.added()).isEqualTo(2);
        assertThat(report.unchanged()).isZero();
        assertThat(report.rejectedCount()).isEqualTo(8);
        assertThat(report.rejected()).extracting(ImportReport.RejectedRow::line).containsExactly(5L, 6L, 7L, 8L,
                9L, 10L, 11L, 13L);
        assertThat(report.rejected().get(0).reason()).contains("expected 3 fields, found 2");
        assertThat(report.rejected().get(1).reason()).contains("64 hexadecimal digits");
        assertThat(report.rejected().get(2).reason()).contains("hardware id contains '\\u0020' at position 4");
        assertThat(report.rejected().get(3).reason()).contains("no credential");
        assertThat(report.rejected().get(4).reason()).contains("two credentials");
        assertThat(report.rejected().get(5).reason()).isEqualTo("duplicate of line 3");
        assertThat(report.rejected().get(6).reason()).contains("not an EC, RSA or Ed25519");
        assertThat(report.rejected().get(7).reason()).contains("quoted");
        assertThat(registry.find("acme-th-0001")).hasValueSatisfying(r -> {
            assertThat(r.batch()).isEqualTo("lot-42.csv");
            assertThat(r.credential().kind()).isEqualTo(HardwareCredential.Kind.SECRET_HASH);
            assertThat(r.importedAt()).isEqualTo(CLOCK.instant());
        });
        assertThat(registry.find("acme-th-0002").orElseThrow().credential().kind())
                .isEqualTo(HardwareCredential.Kind.PUBLIC_KEY);
        assertThat(registry.size()).isEqualTo(2);
        // A report never carries the hashes.
        assertThat(report.toString()).doesNotContain(hash("s1"));
    }

    @Test
    void aSecondImportOfTheSameFileChangesNothing() {
        String csv = "hardware_id,secret_sha256,public_key\nacme-1," + hash("a") + ",\nacme-2," + hash("b") + ",\n";
        importer.importCsv("lot-1", new StringReader(csv));
        HardwareIdRecord before = registry.find("acme-1").orElseThrow();

        ImportReport again = new HardwareIdImport(registry, Clock.systemUTC()).importCsv("lot-1-again",
                new StringReader(csv));

        assertThat(again.added()).isZero();
        assertThat(again.unchanged()).isEqualTo(2);
        assertThat(again.rejectedCount()).isZero();
        assertThat(registry.find("acme-1")).contains(before);
        assertThat(registry.size()).isEqualTo(2);
    }

    @Test
    void anIdListedWithAnotherCredentialOrRevokedIsRejectedAndKeepsItsRecord() {
        importer.importCsv("lot-1", new StringReader("hardware_id,secret_sha256,public_key\nacme-1," + hash("a")
                + ",\nacme-2," + hash("b") + ",\n"));
        assertThat(registry.revoke("acme-2", CLOCK.instant(), "returned to the factory")).isTrue();

        ImportReport report = importer.importCsv("lot-2", new StringReader(
                "public_key,hardware_id,secret_sha256\n,acme-1," + hash("other") + "\n,acme-2," + hash("b") + "\n"));

        assertThat(report.rejected()).extracting(ImportReport.RejectedRow::reason).containsExactly(
                "already listed with another credential; revoke it and list it under a new id, or correct the file",
                "this id was revoked and cannot be imported again");
        assertThat(registry.find("acme-1").orElseThrow().credential())
                .isEqualTo(HardwareCredential.secretHashHex(hash("a")));
        assertThat(registry.find("acme-2").orElseThrow().revocationReason()).contains("returned to the factory");
    }

    @Test
    void aListWithoutAProperHeaderImportsNothing() {
        assertThatThrownBy(() -> importer.importCsv("bad", new StringReader("acme-1," + hash("a") + ",\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown column");
        assertThatThrownBy(() -> importer.importCsv("bad", new StringReader("hardware_id,secret_sha256\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must name the columns");
        assertThatThrownBy(() -> importer.importCsv("empty", new StringReader("# nothing\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no header");
        assertThat(registry.size()).isZero();
    }

    @Test
    void neverSeenListsImportedDevicesThatHaveNotProvedThemselvesYet() {
        importer.importCsv("lot-1", new StringReader("hardware_id,secret_sha256,public_key\na-1," + hash("1")
                + ",\na-2," + hash("2") + ",\na-3," + hash("3") + ",\na-4," + hash("4") + ",\n"));
        registry.markSeen("a-2", CLOCK.instant());
        registry.revoke("a-3", CLOCK.instant(), "lost");

        assertThat(registry.neverSeen(Optional.empty(), 10)).extracting(HardwareIdRecord::hardwareId)
                .containsExactly("a-1", "a-4");
        assertThat(registry.neverSeen(Optional.of("a-1"), 10)).extracting(HardwareIdRecord::hardwareId)
                .containsExactly("a-4");
        assertThat(registry.neverSeen(Optional.empty(), 1)).hasSize(1);
    }
}
