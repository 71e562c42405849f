package io.multiscope.core.allocation;

import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.Candidate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the candidates in the device's region. Strict (data residency): others are dropped. Preferring (affinity):
 * others are dropped only while an eligible candidate in the region exists. Devices without a region pass unchanged.
 */
final class RegionFilter implements CandidateFilter {

    private final boolean strict;

    RegionFilter(boolean strict) {
        this.strict = strict;
    }

    @Override
    public Filtered apply(AllocationRequest request, List<Candidate> candidates) {
        if (request.region().isEmpty()) {
            return new Filtered(candidates, Map.of());
        }
        String region = request.region().get();
        List<Candidate> inRegion = new ArrayList<>();
        Map<String, String> excluded = new LinkedHashMap<>();
        boolean eligibleInRegion = false;
        for (Candidate c : candidates) {
            if (c.region().equalsIgnoreCase(region)) {
                inRegion.add(c);
                eligibleInRegion |= c.ineligibility().isEmpty();
            } else {
                excluded.put(c.id(), "in region " + c.region() + ", device requires " + region);
            }
        }
        if (!strict && !eligibleInRegion) {
            return new Filtered(candidates, Map.of());
        }
        return new Filtered(inRegion, excluded);
    }

    @Override
    public String toString() {
        return strict ? "data-residency" : "region-affinity";
    }
}
