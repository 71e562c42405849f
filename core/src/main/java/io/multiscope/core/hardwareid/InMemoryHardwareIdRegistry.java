package io.multiscope.core.hardwareid;

import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.RegistrationIds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A thread-safe {@link HardwareIdRegistry} in memory, for tests, demos and single-node trials. */
public final class InMemoryHardwareIdRegistry implements HardwareIdRegistry {

    private static final int MAX_PAGE = 10_000;

    private final ConcurrentSkipListMap<String, HardwareIdRecord> records = new ConcurrentSkipListMap<>();

    @Override
    public Optional<HardwareIdRecord> find(String hardwareId) {
        return Optional.ofNullable(records.get(checkId(hardwareId)));
    }

    @Override
    public AddOutcome add(HardwareIdRecord record) {
        Objects.requireNonNull(record, "record");
        String id = checkId(record.hardwareId());
        AddOutcome[] outcome = new AddOutcome[1];
        records.compute(id, (key, existing) -> {
            if (existing == null) {
                outcome[0] = AddOutcome.ADDED;
                return record;
            }
            if (existing.isRevoked()) {
                outcome[0] = AddOutcome.REVOKED;
            } else {
                outcome[0] = existing.credential().equals(record.credential()) ? AddOutcome.UNCHANGED
                        : AddOutcome.CONFLICT;
            }
            return existing;
        });
        return outcome[0];
    }

    @Override
    public boolean revoke(String hardwareId, Instant at, String reason) {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
        return records.computeIfPresent(checkId(hardwareId),
                (key, existing) -> existing.isRevoked() ? existing : existing.revoked(at, reason)) != null;
    }

    @Override
    public void markSeen(String hardwareId, Instant at) {
        Objects.requireNonNull(at, "at");
        records.computeIfPresent(checkId(hardwareId), (key, existing) -> existing.seen(at));
    }

    @Override
    public List<HardwareIdRecord> neverSeen(Optional<String> afterHardwareId, int limit) {
        Objects.requireNonNull(afterHardwareId, "afterHardwareId");
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", was " + limit);
        }
        Map<String, HardwareIdRecord> tail = afterHardwareId.isPresent()
                ? records.tailMap(afterHardwareId.get(), false) : records;
        List<HardwareIdRecord> page = new ArrayList<>();
        for (HardwareIdRecord r : tail.values()) {
            if (r.firstSeenAt().isEmpty() && !r.isRevoked()) {
                page.add(r);
                if (page.size() == limit) {
                    break;
                }
            }
        }
        return page;
    }

    @Override
    public long size() {
        return records.size();
    }

    private static String checkId(String hardwareId) {
        String normalised = RegistrationIds.normalise(hardwareId);
        if (!normalised.equals(hardwareId)) {
            throw new InvalidRequestException("invalid-registration-id",
                    "the registry takes lower-cased hardware ids; normalise '" + hardwareId + "' first", hardwareId);
        }
        return hardwareId;
    }
}
