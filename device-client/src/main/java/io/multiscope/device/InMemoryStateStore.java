package io.multiscope.device;

import java.util.Objects;
import java.util.Optional;

/**
 * Keeps the state in memory only: nothing survives a restart, so every boot provisions again (after a status lookup
 * where one is configured). For tests, and for devices without writable storage. Thread-safe.
 */
public final class InMemoryStateStore implements ProvisioningStateStore {

    private byte[] state;

    @Override
    public synchronized Optional<byte[]> read() {
        return Optional.ofNullable(state == null ? null : state.clone());
    }

    @Override
    public synchronized void write(byte[] newState) {
        state = Objects.requireNonNull(newState, "newState").clone();
    }

    @Override
    public synchronized void clear() {
        state = null;
    }

    @Override
    public String toString() {
        return "InMemoryStateStore";
    }
}
