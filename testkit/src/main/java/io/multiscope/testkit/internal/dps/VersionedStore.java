package io.multiscope.testkit.internal.dps;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A thread-safe map from case-insensitive id to record, ordered by id (so query pages are stable), with
 * {@code If-Match} checks on writes.
 */
public final class VersionedStore<T> {

    private final ConcurrentNavigableMap<String, T> records = new ConcurrentSkipListMap<>();
    private final Function<T, String> etagOf;
    private final String what;

    /**
     * @param what what the records are, for error messages, e.g. {@code "enrollment"}
     */
    public VersionedStore(String what, Function<T, String> etagOf) {
        this.what = what;
        this.etagOf = etagOf;
    }

    public static String key(String id) {
        return id.toLowerCase(Locale.ROOT);
    }

    public Optional<T> get(String id) {
        return Optional.ofNullable(records.get(key(id)));
    }

    /**
     * Atomically replaces the record for {@code id} with {@code update.apply(current)} ({@code current} may be null).
     *
     * @throws DpsError 412 when {@code ifMatch} does not allow it
     */
    public T write(String id, String ifMatch, UnaryOperator<T> update) {
        return records.compute(key(id), (k, current) -> {
            String currentEtag = current == null ? null : etagOf.apply(current);
            if (!Etags.allows(ifMatch, currentEtag)) {
                throw preconditionFailed(id, ifMatch, currentEtag);
            }
            return update.apply(current);
        });
    }

    /** Unconditionally stores {@code record}. */
    public void put(String id, T record) {
        records.put(key(id), record);
    }

    /**
     * Removes the record for {@code id}.
     *
     * @throws DpsError 404 if absent, 412 when {@code ifMatch} does not allow it
     */
    public T delete(String id, String ifMatch) {
        Object[] removed = new Object[1];
        records.computeIfPresent(key(id), (k, current) -> {
            String currentEtag = etagOf.apply(current);
            if (!Etags.allows(ifMatch, currentEtag)) {
                throw preconditionFailed(id, ifMatch, currentEtag);
            }
            removed[0] = current;
            return null;
        });
        if (removed[0] == null) {
            throw DpsError.notFound("The " + what + " '" + id + "' does not exist.");
        }
        @SuppressWarnings("unchecked")
        T result = (T) removed[0];
        return result;
    }

    /** Removes every record matching {@code filter}. */
    public void removeIf(Predicate<T> filter) {
        records.values().removeIf(filter);
    }

    /**
     * Up to {@code limit} records after the key {@code afterKey} ({@code null} for the start) that match
     * {@code filter}, plus whether more follow.
     */
    public Page<T> page(String afterKey, int limit, Predicate<T> filter) {
        Map<String, T> tail = afterKey == null ? records : records.tailMap(afterKey, false);
        List<T> items = new ArrayList<>(Math.min(limit, 256));
        String lastKey = null;
        for (Map.Entry<String, T> e : tail.entrySet()) {
            if (!filter.test(e.getValue())) {
                continue;
            }
            if (items.size() == limit) {
                return new Page<>(items, lastKey);
            }
            items.add(e.getValue());
            lastKey = e.getKey();
        }
        return new Page<>(items, null);
    }

    public List<T> values() {
        return List.copyOf(records.values());
    }

    public int size() {
        return records.size();
    }

    public void clear() {
        records.clear();
    }

    private DpsError preconditionFailed(String id, String ifMatch, String currentEtag) {
        return DpsError.preconditionFailed(currentEtag == null
                ? "Precondition failed: the " + what + " '" + id + "' does not exist, so If-Match " + ifMatch
                        + " cannot match."
                : "Precondition failed: If-Match " + ifMatch + " does not match the current etag of the " + what
                        + " '" + id + "'.");
    }

    /**
     * One page of records.
     *
     * @param nextAfterKey the key to continue after, or {@code null} on the last page
     */
    public record Page<T>(List<T> items, String nextAfterKey) {
    }
}
