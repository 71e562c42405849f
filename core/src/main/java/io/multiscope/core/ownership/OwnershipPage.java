package io.multiscope.core.ownership;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of an owner's devices.
 *
 * @param items the records, in registration-id order
 * @param next the value to pass as {@code afterRegistrationId} for the next page; empty on the last page
 */
public record OwnershipPage(List<Ownership> items, Optional<String> next) {

    public OwnershipPage {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
        Objects.requireNonNull(next, "next");
    }
}
