package io.multiscope.core.claims;

import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.MultiscopeException;
import io.multiscope.core.RegistrationIds;
import io.multiscope.core.internal.CsvRows;
import io.multiscope.core.ownership.ClaimCode;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.OwnerIds;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipNotFoundException;
import io.multiscope.core.ownership.OwnershipOutcome;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.store.ConcurrentUpdateException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The vendor's side of claim codes: gives devices their codes in the ownership registry, hashed
 * ({@link ClaimCodeHasher}), unused and with an expiry, under the device's owner. A back-office operation for the
 * device's owner (the manufacturer at import time, or a customer re-issuing a code); installers never reach it.
 *
 * <ul>
 *   <li>{@link #issue} makes a new random code for a device and returns it once, for printing. A device not yet in
 *       the registry is added under the owner; a code the device had before, used or not, stops working.</li>
 *   <li>{@link #attach} stores a code made elsewhere (printed at the factory). Repeating it changes nothing; it
 *       replaces an unused code but never a used one, so re-importing an old file cannot reopen a claimed
 *       device.</li>
 *   <li>{@link #importCsv} attaches a whole file of such codes, with a report of refused rows.</li>
 * </ul>
 * A device owned by someone other than the given owner is refused ({@code owner-mismatch}) and left unchanged.
 * Expiries are kept to the second. Writes are conditional on the record's version and retried on a concurrent change.
 */
public final class ClaimCodeIssuer {

    private static final int MAX_ATTEMPTS = 5;
    private static final String ID = "registration_id";
    private static final String CODE = "claim_code";
    private static final String EXPIRES = "expires_at";

    /** What {@link #attach} did. */
    public enum AttachOutcome {
        /** The device got its first code (and was added to the registry if it was not there). */
        ADDED,
        /** An unused code was replaced by this one, or the code got a new expiry. */
        UPDATED,
        /** The device already had this code with this expiry, or has used this code: nothing changed. */
        UNCHANGED
    }

    private final OwnershipRegistry registry;
    private final ClaimCodeHasher hasher;
    private final ClaimCodeGenerator generator;
    private final Duration validity;
    private final Clock clock;

    private ClaimCodeIssuer(Builder b) {
        this.registry = b.registry;
        this.hasher = b.hasher;
        this.generator = b.generator;
        this.validity = b.validity;
        this.clock = b.clock;
    }

    public static Builder builder(OwnershipRegistry registry, ClaimCodeHasher hasher) {
        return new Builder(registry, hasher);
    }

    /**
     * Issues a new random code for a device, valid for the configured validity from now, replacing any code it had.
     *
     * @param registrationId the device (any case; stored lower-cased)
     * @param owner the device's owner; a device not in the registry is added under this owner
     * @throws InvalidRequestException if the id or owner break their rules ({@code invalid-registration-id},
     *     {@code invalid-owner}), or the device belongs to another owner ({@code owner-mismatch})
     */
    public IssuedClaimCode issue(String registrationId, String owner) {
        String id = RegistrationIds.normalise(registrationId);
        OwnerIds.check(owner);
        String code = generator.next();
        Instant expiresAt = clock.instant().plus(validity).truncatedTo(ChronoUnit.SECONDS);
        ClaimCode claim = ClaimCode.unused(hasher.hash(id, code), expiresAt);
        for (int attempt = 1; ; attempt++) {
            try {
                Optional<Ownership> found = registry.find(id);
                if (found.isEmpty()) {
                    if (registry.register(new NewOwnership(id, owner, Optional.empty(), Optional.of(claim)))
                            instanceof OwnershipOutcome.Created) {
                        return new IssuedClaimCode(id, owner, code, expiresAt);
                    }
                    if (attempt >= MAX_ATTEMPTS) {
                        throw keptChanging(id);
                    }
                    continue; // registered meanwhile: look again
                }
                requireOwner(found.get(), owner);
                registry.update(found.get().withClaim(claim));
                return new IssuedClaimCode(id, owner, code, expiresAt);
            } catch (ConcurrentUpdateException | OwnershipNotFoundException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Stores a code made elsewhere for a device.
     *
     * @param code the code as printed (case, hyphens and spaces do not matter)
     * @param expiresAt when the code stops being accepted; kept to the second, must be in the future
     * @throws InvalidRequestException if the id, owner, code or expiry break their rules, the device belongs to
     *     another owner ({@code owner-mismatch}), or it has used another code already ({@code claim-code-used})
     */
    public AttachOutcome attach(String registrationId, String owner, String code, Instant expiresAt) {
        String id = RegistrationIds.normalise(registrationId);
        OwnerIds.check(owner);
        String canonical = ClaimCodes.normalise(code);
        Objects.requireNonNull(expiresAt, "expiresAt");
        Instant expiry = expiresAt.truncatedTo(ChronoUnit.SECONDS);
        if (!expiry.isAfter(clock.instant())) {
            throw new InvalidRequestException("invalid-expiry", "the claim code of device '" + id + "' would expire "
                    + "at " + expiry + ", which is not in the future", id);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                AttachOutcome outcome = tryAttach(id, owner, canonical, expiry);
                if (outcome != null) {
                    return outcome;
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw keptChanging(id);
                }
            } catch (ConcurrentUpdateException | OwnershipNotFoundException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** What happened, or null if the device was registered meanwhile and must be looked at again. */
    private AttachOutcome tryAttach(String id, String owner, String canonical, Instant expiry) {
        Optional<Ownership> found = registry.find(id);
        if (found.isEmpty()) {
            ClaimCode claim = ClaimCode.unused(hasher.hash(id, canonical), expiry);
            if (registry.register(new NewOwnership(id, owner, Optional.empty(), Optional.of(claim)))
                    instanceof OwnershipOutcome.Created) {
                return AttachOutcome.ADDED;
            }
            return null;
        }
        Ownership record = found.get();
        requireOwner(record, owner);
        if (record.claim().isEmpty()) {
            registry.update(record.withClaim(ClaimCode.unused(hasher.hash(id, canonical), expiry)));
            return AttachOutcome.ADDED;
        }
        ClaimCode current = record.claim().get();
        boolean same = hasher.matches(id, canonical, current.hash());
        if (current.isUsed()) {
            if (same) {
                return AttachOutcome.UNCHANGED;
            }
            throw new InvalidRequestException("claim-code-used", "device '" + id + "' was claimed with its earlier "
                    + "code; an import does not replace a used code (issue a new one explicitly)", id);
        }
        if (same && current.expiresAt().equals(expiry)) {
            return AttachOutcome.UNCHANGED;
        }
        ClaimCode replacement = same ? ClaimCode.unused(current.hash(), expiry)
                : ClaimCode.unused(hasher.hash(id, canonical), expiry);
        registry.update(record.withClaim(replacement));
        return AttachOutcome.UPDATED;
    }

    /**
     * Attaches every valid row of a file of pre-printed codes for one owner.
     *
     * <p>CSV with a header naming the columns {@code registration_id} and {@code claim_code}, and optionally
     * {@code expires_at} (an ISO-8601 instant such as {@code 2027-12-31T23:59:59Z}; when the column is absent or a
     * field empty, the configured validity from now). Blank lines and lines starting with {@code #} are skipped;
     * fields are not quoted.
     *
     * <pre>
     * registration_id,claim_code,expires_at
     * acme-th-000001,7KQ4-M2XD-9HTB-R0CE,2027-12-31T23:59:59Z
     * acme-th-000002,3W8P-YJ6N-CQ1F-ZS5A,
     * </pre>
     *
     * <p>Idempotent: importing the same file again reports every row unchanged. A row is rejected, with its line and
     * the reason (never the code), when it is malformed, repeats a device of an earlier row, or is refused by
     * {@link #attach}; rejected rows change nothing, the others are imported.
     *
     * @param batch a name for this import, for the report (e.g. the file name)
     * @throws IllegalArgumentException if the header is missing or names unknown columns (nothing is imported)
     * @throws UncheckedIOException if reading fails (rows before the failure are imported; run it again)
     */
    public ClaimCodeImportReport importCsv(String batch, String owner, Reader csv) {
        Objects.requireNonNull(batch, "batch");
        OwnerIds.check(owner);
        Objects.requireNonNull(csv, "csv");
        CsvRows in = CsvRows.open("claim code list '" + batch + "'", csv, List.of(ID, CODE), List.of(EXPIRES));
        Map<String, Long> seenInFile = new HashMap<>();
        List<ClaimCodeImportReport.RejectedRow> rejected = new ArrayList<>();
        long rows = 0;
        long added = 0;
        long updated = 0;
        long unchanged = 0;
        long rejectedCount = 0;
        for (CsvRows.Row row = in.next(); row != null; row = in.next()) {
            rows++;
            long lineNumber = row.lineNumber();
            String rawId = row.field(ID);
            String problem = row.fieldCountProblem();
            if (problem == null && !RegistrationIds.isValid(rawId)) {
                problem = RegistrationIds.problem(rawId);
            }
            if (problem == null) {
                Long earlier = seenInFile.putIfAbsent(rawId.toLowerCase(Locale.ROOT), lineNumber);
                if (earlier != null) {
                    problem = "the device is already in line " + earlier;
                }
            }
            if (problem == null) {
                try {
                    Instant expiresAt = expiry(row.field(EXPIRES));
                    switch (attach(rawId, owner, row.field(CODE), expiresAt)) {
                        case ADDED -> added++;
                        case UPDATED -> updated++;
                        case UNCHANGED -> unchanged++;
                    }
                } catch (InvalidRequestException e) {
                    problem = e.getMessage();
                }
            }
            if (problem != null) {
                rejectedCount++;
                if (rejected.size() < ClaimCodeImportReport.MAX_LISTED) {
                    rejected.add(new ClaimCodeImportReport.RejectedRow(lineNumber,
                            rawId.length() > 128 ? rawId.substring(0, 128) : rawId, problem));
                }
            }
        }
        return new ClaimCodeImportReport(batch, rows, added, updated, unchanged, rejectedCount, rejected);
    }

    private Instant expiry(String field) {
        if (field.isEmpty()) {
            return clock.instant().plus(validity);
        }
        try {
            return Instant.parse(field);
        } catch (DateTimeException e) {
            throw new InvalidRequestException("invalid-expiry", "the expiry is not an ISO-8601 instant such as "
                    + "2027-12-31T23:59:59Z");
        }
    }

    private static MultiscopeException keptChanging(String id) {
        return new MultiscopeException("device '" + id + "' kept being registered and removed while its claim code "
                + "was written; try again", id, null, null);
    }

    private static void requireOwner(Ownership record, String owner) {
        if (!record.owner().equals(owner)) {
            throw new InvalidRequestException("owner-mismatch", "device '" + record.registrationId()
                    + "' is not owned by '" + owner + "'; only its owner can give it a claim code",
                    record.registrationId());
        }
    }

    /**
     * Configures a {@link ClaimCodeIssuer}. Defaults: {@link ClaimCodeGenerator#standard()}, codes valid for 365
     * days, the system UTC clock.
     */
    public static final class Builder {
        private final OwnershipRegistry registry;
        private final ClaimCodeHasher hasher;
        private ClaimCodeGenerator generator = ClaimCodeGenerator.standard();
        private Duration validity = Duration.ofDays(365);
        private Clock clock = Clock.systemUTC();

        private Builder(OwnershipRegistry registry, ClaimCodeHasher hasher) {
            this.registry = Objects.requireNonNull(registry, "registry");
            this.hasher = Objects.requireNonNull(hasher, "hasher");
        }

        public Builder generator(ClaimCodeGenerator generator) {
            this.generator = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /**
         * How long issued codes (and imported ones without an expiry) stay valid: devices may wait in a warehouse
         * for a long time. 1 hour to 10 years; 365 days by default.
         */
        public Builder validity(Duration validity) {
            Objects.requireNonNull(validity, "validity");
            if (validity.compareTo(Duration.ofHours(1)) < 0 || validity.compareTo(Duration.ofDays(3653)) > 0) {
                throw new IllegalArgumentException("validity must be 1 hour to 10 years, was " + validity);
            }
            this.validity = validity;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public ClaimCodeIssuer build() {
            return new ClaimCodeIssuer(this);
        }
    }
}
