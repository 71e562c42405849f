package io.multiscope.core.hardwareid;

import java.util.List;
import java.util.Objects;

/**
 * What an import of a manufacturer's list did.
 *
 * @param batch the import's name
 * @param rows data rows read (header, comments and blank lines not counted)
 * @param added ids listed by this import
 * @param unchanged ids that were already listed with the same credential (a repeated import)
 * @param rejectedCount rows refused, each with its line and reason in {@code rejected} (capped at
 *     {@link #MAX_LISTED})
 */
public record ImportReport(String batch, long rows, long added, long unchanged, long rejectedCount,
        List<RejectedRow> rejected) {

    /** Rejected rows are listed up to this many; the count is always complete. */
    public static final int MAX_LISTED = 10_000;

    public ImportReport {
        Objects.requireNonNull(batch, "batch");
        rejected = List.copyOf(rejected);
    }

    /**
     * A refused row.
     *
     * @param line the 1-based line number in the file
     * @param hardwareId the id in the row, as written (cut to 128 characters), or empty if it had none
     * @param reason why, in words
     */
    public record RejectedRow(long line, String hardwareId, String reason) {
    }
}
