package io.multiscope.spi;

import java.util.List;

/**
 * Decides which DPS instance a device goes to.
 *
 * <p>Implementations must be pure (the same inputs give the same decision, except for strategies that are
 * deliberately random) and thread-safe: one instance serves every request. Stickiness (a known device keeps its
 * instance) is the provisioning service's job; a strategy is asked only when a device needs a new place.
 *
 * <p>Candidates arrive in a stable order (by id). A strategy must never assign a candidate whose
 * {@link Candidate#ineligibility()} is non-empty, and should reject with a reason per excluded candidate when none is
 * left.
 */
@FunctionalInterface
public interface AllocationStrategy {

    AllocationDecision allocate(AllocationRequest request, List<Candidate> candidates);
}
