package io.multiscope.core.claims;

import java.util.List;
import java.util.Objects;

/**
 * What an import of pre-printed claim codes did ({@link ClaimCodeIssuer#importCsv}).
 *
 * @param batch the import's name
 * @param rows data rows read (header, comments and blank lines not counted)
 * @param added devices that got a code: new to the registry, or without a code until now
 * @param updated devices whose unused code was replaced by the row's code, or whose code got the row's expiry
 * @param unchanged devices that already had the row's code with the row's expiry (a repeated import)
 * @param rejectedCount rows refused, each with its line and reason in {@code rejected} (capped at
 *     {@link #MAX_LISTED})
 * @param rejected the first refused rows; reasons never repeat a code
 */
public record ClaimCodeImportReport(String batch, long rows, long added, long updated, long unchanged,
        long rejectedCount, List<RejectedRow> rejected) {

    /** Rejected rows are listed up to this many; the count is always complete. */
    public static final int MAX_LISTED = 10_000;

    public ClaimCodeImportReport {
        Objects.requireNonNull(batch, "batch");
        rejected = List.copyOf(rejected);
    }

    /**
     * A refused row.
     *
     * @param line the 1-based line number in the file
     * @param registrationId the registration id in the row, as written (cut to 128 characters), or empty
     * @param reason why, in words
     */
    public record RejectedRow(long line, String registrationId, String reason) {
        public RejectedRow {
            Objects.requireNonNull(registrationId, "registrationId");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
