package io.multiscope.store.cosmos.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.store.StoreException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A device's transfer history: one document per transfer in the device's partition, each a copy of an entry its
 * ownership record held as its newest transfer.
 *
 * <p>The record is the truth: a transfer writes the new owner and the new entry in the record, in one conditional
 * replace, and only then copies the entry into its own document. So no entry can exist that did not happen, and the
 * newest one is always in the record even if the copy was never made (the process stopped, the request failed). Before
 * a record's newest entry is replaced by the next transfer, that transfer makes sure the copy exists
 * ({@link #keep}); the record's conditional replace then fails if anything changed meanwhile. By induction every
 * earlier entry has its document. Transactional batch would give the same atomicity on the service, but the local
 * test server cannot run it atomically, and a single-document write is also what last-writer-wins conflict
 * resolution keeps whole across regions.
 */
public final class TransferHistory {

    private static final int MAX_ROUNDS = 5;

    private final Documents docs;

    public TransferHistory(Documents docs) {
        this.docs = Objects.requireNonNull(docs, "docs");
    }

    /**
     * Makes sure {@code t} has its history document with exactly this content, for the record of
     * {@code incarnation}: creates it, or rewrites one that differs (left by a transfer that lost to a concurrent one
     * in another region: the record, which the caller read, is the truth). Safe to repeat and to run concurrently:
     * every writer writes the same content, taken from the same stored record.
     *
     * @param probablyThere whether the copy was probably made already (then a read comes first; otherwise a create)
     */
    public void keep(OwnershipTransfer t, String incarnation, boolean probablyThere) {
        String registrationId = t.registrationId();
        String id = Names.transferId(incarnation, t.sequence());
        ObjectNode wanted = OwnershipDocs.historyDocument(t, incarnation);
        boolean read = probablyThere;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            if (!read) {
                if (docs.create(wanted, registrationId).status() != Documents.Status.CONFLICT) {
                    return;
                }
                read = true; // there already: check what it holds
            }
            Optional<Documents.Stored> found = docs.read(id, registrationId);
            if (found.isEmpty()) {
                read = false;
                continue;
            }
            OwnershipDocs.Entry stored = OwnershipDocs.entryOf(registrationId, found.get().body());
            if (stored.incarnation().equals(incarnation) && stored.transfer().equals(t)) {
                return;
            }
            if (docs.replace(wanted, registrationId, found.get().etag()).ok()) {
                return;
            }
        }
        throw new StoreException("History entry " + t.sequence() + " of '" + registrationId + "' kept changing "
                + "while it was written; try again", registrationId, null, true, null);
    }

    /**
     * The history of the record {@code view}, oldest first, from the documents of its partition: the copies of its
     * incarnation up to the entry before its newest, and the newest from the record itself.
     *
     * @param partition every document of the device's partition
     * @throws StoreException if an entry is missing: the documents were changed by something other than this store
     */
    public static List<OwnershipTransfer> of(OwnershipDocs.View view, List<ObjectNode> partition) {
        if (view.last().isEmpty()) {
            return List.of();
        }
        OwnershipTransfer newest = view.last().get();
        String registrationId = newest.registrationId();
        List<OwnershipTransfer> entries = new ArrayList<>();
        for (ObjectNode doc : partition) {
            if (Names.KIND_TRANSFER.equals(doc.path(Names.KIND).asText())) {
                OwnershipDocs.Entry e = OwnershipDocs.entryOf(registrationId, doc);
                if (e.incarnation().equals(view.incarnation()) && e.transfer().sequence() < newest.sequence()) {
                    entries.add(e.transfer());
                }
            }
        }
        entries.add(newest);
        entries.sort(Comparator.comparingLong(OwnershipTransfer::sequence));
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).sequence() != i + 1) {
                throw new StoreException("The transfer history of '" + registrationId + "' lacks entry " + (i + 1)
                        + " of " + newest.sequence() + ": its documents in the Cosmos DB container were changed or "
                        + "deleted outside this store", registrationId, null, false, null);
            }
        }
        return List.copyOf(entries);
    }

    /**
     * Deletes the history documents among {@code partition}, each only if unchanged since that read (a document
     * rewritten meanwhile belongs to a newer record). Called while the record is a tombstone, so no transfer can add
     * one concurrently.
     */
    public void deleteAll(String registrationId, List<ObjectNode> partition) {
        for (ObjectNode doc : partition) {
            if (Names.KIND_TRANSFER.equals(doc.path(Names.KIND).asText())) {
                docs.delete(doc.path(Names.ID).asText(), registrationId, doc.path("_etag").asText(null));
            }
        }
    }
}
