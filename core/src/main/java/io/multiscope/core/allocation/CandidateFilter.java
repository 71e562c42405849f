package io.multiscope.core.allocation;

import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.AllocationStrategy;
import io.multiscope.spi.Candidate;
import java.util.List;
import java.util.Objects;

/**
 * Narrows the candidates for a device (by region, tenant pool, ...) before a chooser picks one. Filters compose with
 * {@link #and(CandidateFilter)} and end in a chooser with {@link #then(AllocationStrategy)}.
 */
@FunctionalInterface
public interface CandidateFilter {

    /** Keeps some candidates and says why each of the others was dropped. */
    Filtered apply(AllocationRequest request, List<Candidate> candidates);

    /** This filter, then {@code next} on what it kept. */
    default CandidateFilter and(CandidateFilter next) {
        Objects.requireNonNull(next, "next");
        return (request, candidates) -> {
            Filtered first = apply(request, candidates);
            return first.then(next.apply(request, first.kept()));
        };
    }

    /** A strategy that applies this filter, then lets {@code chooser} pick among what is left. */
    default AllocationStrategy then(AllocationStrategy chooser) {
        return new FilteredStrategy(this, chooser);
    }
}
