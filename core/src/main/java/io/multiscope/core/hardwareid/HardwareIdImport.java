package io.multiscope.core.hardwareid;

import io.multiscope.core.RegistrationIds;
import io.multiscope.core.internal.CsvRows;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Imports a manufacturer's list of hardware ids into a {@link HardwareIdRegistry}.
 *
 * <p>The format is CSV with a header naming three columns, in any order: {@code hardware_id}, {@code secret_sha256}
 * (64 hexadecimal digits: SHA-256 of the device's secret) and {@code public_key} (base64 of the device's X.509
 * {@code SubjectPublicKeyInfo}, the body of a PEM public key). Each row has exactly one of the two credentials. Blank
 * lines and lines starting with {@code #} are skipped; fields are not quoted (none of them can contain a comma).
 *
 * <pre>
 * hardware_id,secret_sha256,public_key
 * acme-th-000001,9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,
 * acme-th-000002,,MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE...
 * </pre>
 *
 * <p>Idempotent: importing the same file again adds nothing and reports every row unchanged. A row is rejected, with
 * its line and the reason, when it is malformed (wrong number of fields, an id breaking the DPS registration id rules,
 * a bad hash or key, none or both credentials), repeats an id of an earlier row of the same file, names an id already
 * listed with another credential, or names a revoked id. Rejected rows change nothing; the others are imported.
 */
public final class HardwareIdImport {

    private static final String ID = "hardware_id";
    private static final String HASH = "secret_sha256";
    private static final String KEY = "public_key";

    private final HardwareIdRegistry registry;
    private final Clock clock;

    public HardwareIdImport(HardwareIdRegistry registry, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public HardwareIdImport(HardwareIdRegistry registry) {
        this(registry, Clock.systemUTC());
    }

    /**
     * Reads the whole list and imports every valid row.
     *
     * @param batch a name for this import, kept with each id (e.g. the file name)
     * @throws IllegalArgumentException if the header is missing or lacks a column (nothing is imported)
     * @throws UncheckedIOException if reading fails (rows before the failure are imported; run it again)
     */
    public ImportReport importCsv(String batch, Reader csv) {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(csv, "csv");
        CsvRows in = CsvRows.open("hardware id list '" + batch + "'", csv, List.of(ID, HASH, KEY), List.of());
        Instant now = clock.instant();
        Map<String, Long> seenInFile = new HashMap<>();
        List<ImportReport.RejectedRow> rejected = new ArrayList<>();
        long rows = 0;
        long added = 0;
        long unchanged = 0;
        long rejectedCount = 0;
        for (CsvRows.Row row = in.next(); row != null; row = in.next()) {
            rows++;
            long lineNumber = row.lineNumber();
            String rawId = row.field(ID);
            String problem = problem(row, rawId);
            HardwareCredential credential = null;
            String id = null;
            if (problem == null) {
                id = rawId.toLowerCase(Locale.ROOT);
                try {
                    credential = credential(row.field(HASH), row.field(KEY));
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
            }
            if (problem == null) {
                Long earlier = seenInFile.putIfAbsent(id, lineNumber);
                if (earlier != null) {
                    problem = "duplicate of line " + earlier;
                }
            }
            if (problem == null) {
                switch (registry.add(HardwareIdRecord.imported(id, credential, batch, now))) {
                    case ADDED -> added++;
                    case UNCHANGED -> unchanged++;
                    case CONFLICT -> problem = "already listed with another credential; revoke it and list it "
                            + "under a new id, or correct the file";
                    case REVOKED -> problem = "this id was revoked and cannot be imported again";
                }
            }
            if (problem != null) {
                rejectedCount++;
                if (rejected.size() < ImportReport.MAX_LISTED) {
                    rejected.add(new ImportReport.RejectedRow(lineNumber,
                            rawId.length() > 128 ? rawId.substring(0, 128) : rawId, problem));
                }
            }
        }
        return new ImportReport(batch, rows, added, unchanged, rejectedCount, rejected);
    }

    private static String problem(CsvRows.Row row, String rawId) {
        String countProblem = row.fieldCountProblem();
        if (countProblem != null) {
            return countProblem;
        }
        for (String f : row.fields()) {
            if (f.indexOf('"') >= 0) {
                return "quoted fields are not supported";
            }
        }
        String idProblem = RegistrationIds.problem(rawId);
        return idProblem == null ? null : idProblem.replace("registration id", "hardware id");
    }

    private static HardwareCredential credential(String hash, String key) {
        if (hash.isEmpty() == key.isEmpty()) {
            throw new IllegalArgumentException(hash.isEmpty() ? "no credential: give " + HASH + " or " + KEY
                    : "two credentials: give either " + HASH + " or " + KEY + ", not both");
        }
        return hash.isEmpty() ? HardwareCredential.publicKeyBase64(key) : HardwareCredential.secretHashHex(hash);
    }
}
