package io.multiscope.core.allocation;

import io.multiscope.spi.AllocationDecision;
import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.AllocationStrategy;
import io.multiscope.spi.Candidate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Filters, then a chooser; a rejection names what the filters dropped as well as what the chooser did. */
final class FilteredStrategy implements AllocationStrategy {

    private final CandidateFilter filter;
    private final AllocationStrategy chooser;

    FilteredStrategy(CandidateFilter filter, AllocationStrategy chooser) {
        this.filter = Objects.requireNonNull(filter, "filter");
        this.chooser = Objects.requireNonNull(chooser, "chooser");
    }

    @Override
    public AllocationDecision allocate(AllocationRequest request, List<Candidate> candidates) {
        Filtered filtered = filter.apply(request, candidates);
        AllocationDecision decision = chooser.allocate(request, filtered.kept());
        if (decision instanceof AllocationDecision.Reject reject && !filtered.excluded().isEmpty()) {
            Map<String, String> all = new LinkedHashMap<>(filtered.excluded());
            all.putAll(reject.exclusions());
            return AllocationDecision.reject(reject.reason(), all);
        }
        return decision;
    }

    @Override
    public String toString() {
        return filter + " then " + chooser;
    }
}
