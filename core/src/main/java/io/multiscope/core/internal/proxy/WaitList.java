package io.multiscope.core.internal.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded FIFO of requests waiting for a DPS budget. Waiting costs an entry here, never a thread: whoever drains the
 * list (a scheduled task) completes each entry's future.
 */
public final class WaitList<T> {

    private final int capacity;
    private final ConcurrentLinkedDeque<T> entries = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();

    public WaitList(int capacity) {
        this.capacity = capacity;
    }

    /** Adds at the tail; false (and nothing added) if the list is full. */
    public boolean offer(T entry) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        entries.addLast(entry);
        return true;
    }

    /** Removes an entry; false if it was not there (another drainer took it). */
    public boolean remove(T entry) {
        if (entries.removeFirstOccurrence(entry)) {
            size.decrementAndGet();
            return true;
        }
        return false;
    }

    /** The entries now, oldest first. */
    public List<T> snapshot() {
        return new ArrayList<>(entries);
    }

    public int size() {
        return Math.max(0, size.get());
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int capacity() {
        return capacity;
    }
}
