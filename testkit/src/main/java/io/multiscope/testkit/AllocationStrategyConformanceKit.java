package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.spi.AllocationDecision;
import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.AllocationStrategy;
import io.multiscope.spi.Candidate;
import io.multiscope.spi.InstanceState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AllocationStrategy} must do, built-in or custom. Extend it and return your strategy:
 *
 * <pre>{@code
 * class CarbonAwareStrategyTest extends AllocationStrategyConformanceKit {
 *     protected AllocationStrategy strategy() { return new CarbonAwareStrategy(); }
 * }
 * }</pre>
 *
 * Candidates here carry region {@code westeurope}, no tenant pool and weight 1 unless a test says otherwise;
 * override {@link #request(String)} if your strategy needs more on the request to assign at all.
 */
public abstract class AllocationStrategyConformanceKit {

    /** The strategy under test; may return the same instance every time. */
    protected abstract AllocationStrategy strategy();

    /** Whether the same inputs always give the same decision; override with false for randomised strategies. */
    protected boolean deterministic() {
        return true;
    }

    /** A request your strategy can serve from the kit's plain candidates. */
    protected AllocationRequest request(String registrationId) {
        return AllocationRequest.builder(registrationId).region("westeurope").build();
    }

    protected static Candidate candidate(String id, InstanceState state, long capacity, long assigned, long headroom) {
        return new Candidate(id, "westeurope", Optional.empty(), Set.of(), 1, state, capacity, assigned, headroom);
    }

    protected static Candidate active(String id, long assigned) {
        return candidate(id, InstanceState.ACTIVE, 1_000_000, assigned, 1_000);
    }

    private AllocationDecision decide(String registrationId, List<Candidate> candidates) {
        AllocationDecision d = strategy().allocate(request(registrationId), Collections.unmodifiableList(candidates));
        assertThat(d).as("decision for %s", registrationId).isNotNull();
        return d;
    }

    @Test
    void assignsOnlyCandidatesItWasGiven() {
        List<Candidate> candidates = List.of(active("a", 10), active("b", 20), active("c", 30));
        Set<String> ids = Set.of("a", "b", "c");
        for (int i = 0; i < 200; i++) {
            AllocationDecision d = decide("dev-" + i, candidates);
            assertThat(d).isInstanceOf(AllocationDecision.Assign.class);
            assertThat(ids).contains(((AllocationDecision.Assign) d).candidateId());
        }
    }

    @Test
    void neverPicksDrainingDisabledOrFullInstances() {
        List<Candidate> candidates = List.of(
                candidate("draining", InstanceState.DRAINING, 1_000_000, 0, 1_000),
                candidate("disabled", InstanceState.DISABLED, 1_000_000, 0, 1_000),
                candidate("full", InstanceState.ACTIVE, 100, 100, 1_000),
                active("ok", 999_999));
        for (int i = 0; i < 200; i++) {
            assertThat(decide("dev-" + i, candidates)).isEqualTo(AllocationDecision.assign("ok"));
        }
    }

    @Test
    void rejectsWithAReasonPerCandidateWhenNoneIsEligible() {
        List<Candidate> candidates = List.of(
                candidate("draining", InstanceState.DRAINING, 1_000_000, 0, 1_000),
                candidate("disabled", InstanceState.DISABLED, 1_000_000, 0, 1_000),
                candidate("full", InstanceState.ACTIVE, 100, 100, 1_000));
        AllocationDecision d = decide("dev-1", candidates);
        assertThat(d).isInstanceOf(AllocationDecision.Reject.class);
        AllocationDecision.Reject reject = (AllocationDecision.Reject) d;
        assertThat(reject.exclusions()).containsOnlyKeys("draining", "disabled", "full");
        assertThat(reject.exclusions().values()).allSatisfy(reason -> assertThat(reason).isNotBlank());
        assertThat(reject.describe()).contains("draining", "disabled", "full");
    }

    @Test
    void rejectsWhenThereAreNoCandidates() {
        assertThat(decide("dev-1", List.of())).isInstanceOf(AllocationDecision.Reject.class);
    }

    @Test
    void neverAssignsAnInstanceWithoutRateHeadroom() {
        List<Candidate> candidates = List.of(candidate("a", InstanceState.ACTIVE, 1_000_000, 5, 0),
                candidate("b", InstanceState.ACTIVE, 1_000_000, 5, 0));
        AllocationDecision d = decide("dev-1", candidates);
        assertThat(d).isNotInstanceOf(AllocationDecision.Assign.class);
        List<Candidate> oneLeft = List.of(candidate("a", InstanceState.ACTIVE, 1_000_000, 5, 0),
                candidate("b", InstanceState.ACTIVE, 1_000_000, 5_000, 1));
        assertThat(decide("dev-1", oneLeft)).isEqualTo(AllocationDecision.assign("b"));
    }

    @Test
    void sameInputsGiveTheSameDecision() {
        if (!deterministic()) {
            return;
        }
        List<Candidate> candidates = List.of(active("a", 10), active("b", 20), active("c", 30));
        for (int i = 0; i < 100; i++) {
            assertThat(decide("dev-" + i, candidates)).isEqualTo(decide("dev-" + i, new ArrayList<>(candidates)));
        }
    }

    @Test
    void isSafeToCallFromManyThreads() throws Exception {
        List<Candidate> candidates = List.of(active("a", 10), active("b", 20), active("c", 30),
                candidate("d", InstanceState.DRAINING, 1_000_000, 0, 1_000));
        Map<String, AllocationDecision> expected = new ConcurrentHashMap<>();
        for (int i = 0; i < 500; i++) {
            expected.put("dev-" + i, decide("dev-" + i, candidates));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Set<String>>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    Set<String> mismatches = new HashSet<>();
                    for (int i = 0; i < 500; i++) {
                        AllocationDecision d = strategy().allocate(request("dev-" + i), candidates);
                        if (d instanceof AllocationDecision.Assign a && a.candidateId().equals("d")) {
                            mismatches.add("dev-" + i + " assigned to draining instance");
                        }
                        if (deterministic() && !d.equals(expected.get("dev-" + i))) {
                            mismatches.add("dev-" + i + " got " + d + " instead of " + expected.get("dev-" + i));
                        }
                    }
                    return mismatches;
                }));
            }
            for (Future<Set<String>> f : results) {
                assertThat(f.get(1, TimeUnit.MINUTES)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void takesTheLastFreeSlot() {
        List<Candidate> candidates = List.of(candidate("full", InstanceState.ACTIVE, 100, 100, 10),
                candidate("last", InstanceState.ACTIVE, 100, 99, 10));
        assertThat(decide("dev-1", candidates)).isEqualTo(AllocationDecision.assign("last"));
    }
}
