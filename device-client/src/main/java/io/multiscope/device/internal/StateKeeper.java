package io.multiscope.device.internal;

import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.device.ProvisioningStateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Reads and writes the device state through the store. Nothing here throws: an unreadable or corrupt state is
 * reported and read as "nothing stored", a failed write is reported and the caller carries on.
 */
final class StateKeeper {

    private final ProvisioningStateStore store;
    private final String configuration;
    private final Events events;

    StateKeeper(ProvisioningStateStore store, String configuration, Events events) {
        this.store = store;
        this.configuration = configuration;
        this.events = events;
    }

    /** The stored state for this configuration; empty state if there is none, it is unreadable, or it is stale. */
    DeviceState load() {
        Optional<byte[]> bytes;
        try {
            bytes = store.read();
        } catch (IOException | RuntimeException e) {
            events.emit(events.of(Type.STATE_UNREADABLE).detail("the provisioning state in " + store
                    + " cannot be read (" + e + "); the device is treated as not provisioned"));
            return DeviceState.empty(configuration);
        }
        if (bytes == null || bytes.isEmpty()) {
            return DeviceState.empty(configuration);
        }
        DeviceState state;
        try {
            state = StateCodec.decode(bytes.get());
        } catch (IllegalArgumentException e) {
            events.emit(events.of(Type.STATE_UNREADABLE).detail("the provisioning state in " + store
                    + " is corrupt (" + e.getMessage() + "); the device is treated as not provisioned"));
            return DeviceState.empty(configuration);
        }
        if (!state.configuration.equals(configuration)) {
            events.emit(events.of(Type.STATE_IGNORED).detail("the stored state was written for '"
                    + state.configuration + "', not '" + configuration + "'; provisioning again"));
            return DeviceState.empty(configuration);
        }
        return state;
    }

    /**
     * Writes {@code state}, or throws: for a change the caller must not report as done unless it is stored.
     *
     * @throws UncheckedIOException if the store failed; by its contract the old state is still in place
     */
    void saveOrThrow(DeviceState state, String what) {
        try {
            store.write(StateCodec.encode(state));
        } catch (IOException e) {
            throw new UncheckedIOException(what + " could not be written to " + store + "; nothing changed", e);
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException(what + " could not be written to " + store
                    + "; nothing changed", e));
        }
    }

    /** Writes {@code state}; reports (and otherwise ignores) a failure. */
    void save(DeviceState state) {
        try {
            store.write(StateCodec.encode(state));
        } catch (IOException | RuntimeException e) {
            events.emit(events.of(Type.STATE_NOT_SAVED).detail("the provisioning state could not be written to "
                    + store + " (" + e + "); the next boot will provision again"));
        }
    }
}
