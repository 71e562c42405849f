package io.multiscope.store.jdbc.internal;

import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.RegistrationIds;
import io.multiscope.core.ownership.ClaimCode;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.OwnerIds;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipNotFoundException;
import io.multiscope.core.ownership.OwnershipOutcome;
import io.multiscope.core.ownership.OwnershipPage;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.ownership.TransferRequest;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link OwnershipRegistry} in the inventory's database: {@code multiscope_ownership} (one row per device) and
 * {@code multiscope_ownership_transfer} (its history).
 *
 * <p>A transfer is one transaction: lock the device's row and check its version, rewrite it, append the history
 * row numbered after the last one. Every append happens under that row lock, so the numbering has neither gaps nor
 * duplicates, and a transfer and its history row commit or vanish together. Lock order: the device's ownership row
 * first, then its history rows.
 */
public final class JdbcOwnershipRegistry implements OwnershipRegistry {

    private static final int MAX_PAGE = 10_000;
    private static final int MAX_HASH = 256;
    private static final int MAX_INSTANCE_ID = 64;
    private static final int MAX_NAME = 256;

    private final Transactions transactions;
    private final OwnershipRows rows;
    private final TransferRows transfers;
    private final Clock clock;
    private final MidTransactionHook hook;

    public JdbcOwnershipRegistry(Transactions transactions, Clock clock, MidTransactionHook hook) {
        this.transactions = Objects.requireNonNull(transactions, "transactions");
        this.rows = new OwnershipRows(transactions.dialect());
        this.transfers = new TransferRows(transactions.dialect());
        this.clock = Objects.requireNonNull(clock, "clock");
        this.hook = Objects.requireNonNull(hook, "hook");
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    @Override
    public OwnershipOutcome register(NewOwnership device) {
        Objects.requireNonNull(device, "device");
        String id = RegistrationIds.requireNormalised(device.registrationId());
        OwnerIds.check(device.owner());
        requireStorable(id, device.activeInstanceId(), device.claim());
        Instant now = now();
        Ownership fresh = new Ownership(id, device.owner(), device.activeInstanceId(), device.claim(), 1, now, now);
        return transactions.withoutTransaction(Operation.onDevice("register ownership", id), (c, tx) -> {
            if (rows.insertIfAbsent(c, fresh)) {
                return new OwnershipOutcome.Created(fresh);
            }
            Optional<Ownership> existing = rows.find(c, id);
            if (existing.isPresent()) {
                return new OwnershipOutcome.Existing(existing.get());
            }
            // The row that blocked the insert was removed before we read it; another attempt inserts.
            throw new StoreException("JDBC inventory: device '" + id + "' was removed from the ownership registry "
                    + "while being registered", id, null, true, null);
        });
    }

    @Override
    public Optional<Ownership> find(String registrationId) {
        String id = RegistrationIds.requireNormalised(registrationId);
        return transactions.withoutTransaction(Operation.onDevice("look up the ownership", id),
                (c, tx) -> rows.find(c, id));
    }

    @Override
    public Ownership update(Ownership updated) {
        Objects.requireNonNull(updated, "updated");
        String id = RegistrationIds.requireNormalised(updated.registrationId());
        OwnerIds.check(updated.owner());
        requireStorable(id, updated.activeInstanceId(), updated.claim());
        return transactions.write(Operation.onDevice("update the ownership", id), (c, tx) -> {
            Optional<Ownership> stored = rows.updateIfVersion(c, updated, now());
            if (stored.isPresent()) {
                return stored.get();
            }
            Ownership current = rows.find(c, id).orElseThrow(() -> new OwnershipNotFoundException(id));
            if (current.version() == updated.version() && !current.owner().equals(updated.owner())) {
                throw new InvalidRequestException("owner-change-needs-transfer", "Device '" + id + "' is owned by '"
                        + current.owner() + "'; change the owner with a transfer, which records it", id);
            }
            throw ConcurrentUpdateException.ofOwnership(id, updated.version());
        });
    }

    @Override
    public Ownership transfer(TransferRequest request) {
        Objects.requireNonNull(request, "request");
        String id = RegistrationIds.requireNormalised(request.registrationId());
        OwnerIds.check(request.newOwner());
        StorableText.require("newActiveInstanceId", request.newActiveInstanceId().orElse(null), MAX_INSTANCE_ID, id);
        StorableText.require("actor", request.actor(), MAX_NAME, id);
        return transactions.write(Operation.onDevice("transfer ownership", id), (c, tx) -> {
            Ownership current = lockExpected(c, id, request.expectedVersion())
                    .orElseThrow(() -> new OwnershipNotFoundException(id));
            Instant now = now();
            rows.setOwner(c, id, current.version(), request.newOwner(), request.newActiveInstanceId(), now);
            hook.reached("transfer ownership", c);
            transfers.insert(c, new OwnershipTransfer(id, transfers.nextSequence(c, id), current.owner(),
                    request.newOwner(), current.activeInstanceId(), request.newActiveInstanceId(), request.actor(),
                    now));
            return new Ownership(id, request.newOwner(), request.newActiveInstanceId(), current.claim(),
                    current.version() + 1, current.createdAt(), now);
        });
    }

    @Override
    public List<OwnershipTransfer> history(String registrationId) {
        String id = RegistrationIds.requireNormalised(registrationId);
        return transactions.withoutTransaction(Operation.onDevice("read the transfer history", id),
                (c, tx) -> transfers.history(c, id));
    }

    @Override
    public OwnershipPage ownedBy(String owner, Optional<String> afterRegistrationId, int limit) {
        OwnerIds.check(owner);
        Objects.requireNonNull(afterRegistrationId, "afterRegistrationId");
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", was " + limit);
        }
        return transactions.withoutTransaction(new Operation("page through the devices of owner '" + owner + "'",
                null, null), (c, tx) -> rows.page(c, owner, afterRegistrationId, limit));
    }

    @Override
    public boolean remove(String registrationId, long expectedVersion) {
        String id = RegistrationIds.requireNormalised(registrationId);
        return transactions.write(Operation.onDevice("remove the ownership", id), (c, tx) -> {
            if (lockExpected(c, id, expectedVersion).isEmpty()) {
                return false;
            }
            transfers.deleteAll(c, id);
            hook.reached("remove ownership", c);
            rows.delete(c, id);
            return true;
        });
    }

    /** Locks the device's row; fails if it is at another version than expected. */
    private Optional<Ownership> lockExpected(Connection c, String id, long expectedVersion) throws SQLException {
        Optional<Ownership> current = rows.findForUpdate(c, id);
        if (current.isPresent() && current.get().version() != expectedVersion) {
            throw ConcurrentUpdateException.ofOwnership(id, expectedVersion);
        }
        return current;
    }

    /** Refuses text the columns would not keep verbatim (ids and owners are checked by their own rules). */
    private static void requireStorable(String id, Optional<String> instanceId, Optional<ClaimCode> claim) {
        StorableText.require("activeInstanceId", instanceId.orElse(null), MAX_INSTANCE_ID, id);
        if (claim.isPresent()) {
            StorableText.require("claim hash", claim.get().hash(), MAX_HASH, id);
            StorableText.require("claimedBy", claim.get().claimedBy().orElse(null), MAX_NAME, id);
        }
    }
}
