package io.multiscope.core.store;

import io.multiscope.core.DeviceAssignment;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of an instance's devices.
 *
 * @param items the devices, in registration-id order
 * @param next the value to pass as {@code afterRegistrationId} for the next page; empty on the last page
 */
public record InventoryPage(List<DeviceAssignment> items, Optional<String> next) {

    public InventoryPage {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
        Objects.requireNonNull(next, "next");
    }
}
