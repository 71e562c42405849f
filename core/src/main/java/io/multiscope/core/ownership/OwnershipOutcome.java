package io.multiscope.core.ownership;

import java.util.Objects;

/** The result of {@link OwnershipRegistry#register}. */
public sealed interface OwnershipOutcome {

    Ownership ownership();

    /** The device was new to the registry. */
    record Created(Ownership ownership) implements OwnershipOutcome {
        public Created {
            Objects.requireNonNull(ownership, "ownership");
        }
    }

    /** The device was already registered; its record is returned unchanged, whatever the request said. */
    record Existing(Ownership ownership) implements OwnershipOutcome {
        public Existing {
            Objects.requireNonNull(ownership, "ownership");
        }
    }
}
