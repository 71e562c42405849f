package io.multiscope.core.allocation;

import io.multiscope.spi.AllocationDecision;
import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.AllocationStrategy;
import io.multiscope.spi.Candidate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules every built-in chooser shares: drop candidates that cannot take a device (not active, full), defer when
 * the rest have no rate headroom, reject naming every candidate when none is left; otherwise {@link #pick} one.
 */
abstract class Chooser implements AllocationStrategy {

    /** The hint a deferral carries; the provisioning service replaces it with its admission control's schedule. */
    static final Duration DEFAULT_DEFERRAL = Duration.ofSeconds(1);

    @Override
    public final AllocationDecision allocate(AllocationRequest request, List<Candidate> candidates) {
        Map<String, String> excluded = new LinkedHashMap<>();
        List<Candidate> eligible = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            Optional<String> why = c.ineligibility();
            if (why.isPresent()) {
                excluded.put(c.id(), why.get());
            } else {
                eligible.add(c);
            }
        }
        if (eligible.isEmpty()) {
            return AllocationDecision.reject(candidates.isEmpty() ? "no DPS instance is a candidate for this device"
                    : "no eligible DPS instance", excluded);
        }
        List<Candidate> withHeadroom = new ArrayList<>(eligible.size());
        for (Candidate c : eligible) {
            if (c.rateHeadroom() > 0) {
                withHeadroom.add(c);
            }
        }
        if (withHeadroom.isEmpty()) {
            return AllocationDecision.defer(DEFAULT_DEFERRAL,
                    "every eligible DPS instance is at its registration rate limit");
        }
        return AllocationDecision.assign(pick(request, withHeadroom).id());
    }

    /** Picks one of {@code available}: non-empty, all eligible and with headroom, in id order. */
    abstract Candidate pick(AllocationRequest request, List<Candidate> available);
}
