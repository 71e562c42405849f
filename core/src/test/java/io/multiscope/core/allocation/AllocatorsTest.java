package io.multiscope.core.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.spi.AllocationDecision;
import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.AllocationStrategies;
import io.multiscope.spi.AllocationStrategy;
import io.multiscope.spi.Candidate;
import io.multiscope.spi.InstanceState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllocatorsTest {

    private static Candidate candidate(String id, String region, String pool, int weight, long assigned) {
        return new Candidate(id, region, Optional.ofNullable(pool), Set.of(), weight, InstanceState.ACTIVE,
                1_000_000, assigned, 1_000);
    }

    private static String assigned(AllocationDecision d) {
        assertThat(d).isInstanceOf(AllocationDecision.Assign.class);
        return ((AllocationDecision.Assign) d).candidateId();
    }

    @Test
    void leastUtilisedPicksTheEmptiestShareOfCapacity() {
        Candidate big = new Candidate("big", "eu", Optional.empty(), Set.of(), 1, InstanceState.ACTIVE, 1_000_000,
                100_000, 10);
        Candidate small = new Candidate("small", "eu", Optional.empty(), Set.of(), 1, InstanceState.ACTIVE, 100_000,
                20_000, 10);
        assertThat(assigned(Allocators.leastUtilised().allocate(AllocationRequest.of("d"), List.of(big, small))))
                .isEqualTo("big");
    }

    @Test
    void weightedSpreadsInProportionToWeights() {
        List<Candidate> candidates = List.of(candidate("a", "eu", null, 1, 0), candidate("b", "eu", null, 3, 0));
        Map<String, Integer> counts = new HashMap<>();
        AllocationStrategy s = Allocators.weighted();
        for (int i = 0; i < 20_000; i++) {
            counts.merge(assigned(s.allocate(AllocationRequest.of("dev-" + i), candidates)), 1, Integer::sum);
        }
        assertThat(counts.get("b") / (double) counts.get("a")).isBetween(2.8, 3.2);
    }

    @Test
    void rendezvousMovesOnlyTheDevicesOfARemovedInstance() {
        List<Candidate> four = List.of(candidate("a", "eu", null, 1, 0), candidate("b", "eu", null, 1, 0),
                candidate("c", "eu", null, 1, 0), candidate("d", "eu", null, 1, 0));
        List<Candidate> three = four.subList(0, 3);
        AllocationStrategy s = Allocators.rendezvous();
        int moved = 0;
        for (int i = 0; i < 10_000; i++) {
            String before = assigned(s.allocate(AllocationRequest.of("dev-" + i), four));
            String after = assigned(s.allocate(AllocationRequest.of("dev-" + i), three));
            if (!before.equals("d")) {
                assertThat(after).isEqualTo(before);
            } else {
                moved++;
            }
        }
        assertThat(moved).isBetween(2_200, 2_800);
    }

    @Test
    void dataResidencyRejectsNamingTheRegionOfEachInstance() {
        AllocationStrategy s = Allocators.dataResidency().then(Allocators.leastUtilised());
        AllocationDecision d = s.allocate(AllocationRequest.builder("d").region("japaneast").build(),
                List.of(candidate("eu", "westeurope", null, 1, 0), candidate("us", "eastus", null, 1, 0)));
        assertThat(d).isInstanceOf(AllocationDecision.Reject.class);
        assertThat(((AllocationDecision.Reject) d).describe())
                .contains("eu (in region westeurope, device requires japaneast)")
                .contains("us (in region eastus, device requires japaneast)");
    }

    @Test
    void regionAffinityFallsBackWhenTheRegionHasNoEligibleInstance() {
        AllocationStrategy s = Allocators.regionAffinity().then(Allocators.leastUtilised());
        Candidate euDraining = new Candidate("eu", "westeurope", Optional.empty(), Set.of(), 1,
                InstanceState.DRAINING, 1_000_000, 0, 10);
        AllocationRequest inEurope = AllocationRequest.builder("d").region("westeurope").build();
        assertThat(assigned(s.allocate(inEurope, List.of(euDraining, candidate("us", "eastus", null, 1, 5)))))
                .isEqualTo("us");
        assertThat(assigned(s.allocate(inEurope, List.of(candidate("eu", "westeurope", null, 1, 900),
                candidate("us", "eastus", null, 1, 5))))).isEqualTo("eu");
    }

    @Test
    void tenantPoolsKeepReservedInstancesForTheirTenant() {
        AllocationStrategy s = Allocators.tenantPool().then(Allocators.leastUtilised());
        List<Candidate> candidates = List.of(candidate("shared", "eu", null, 1, 500),
                candidate("contoso-1", "eu", "contoso", 1, 0));
        assertThat(assigned(s.allocate(AllocationRequest.builder("d").tenant("contoso").build(), candidates)))
                .isEqualTo("contoso-1");
        assertThat(assigned(s.allocate(AllocationRequest.builder("d").tenant("fabrikam").build(), candidates)))
                .isEqualTo("shared");
        assertThat(assigned(s.allocate(AllocationRequest.of("d"), candidates))).isEqualTo("shared");
    }

    @Test
    void providersAreFoundByNameWithFilters() {
        assertThat(AllocationStrategies.names(getClass().getClassLoader()))
                .contains("least-utilised", "weighted", "rendezvous");
        AllocationStrategy s = AllocationStrategies.load("least-utilised", Map.of("filters", "data-residency"));
        assertThat(s.allocate(AllocationRequest.builder("d").region("x").build(),
                List.of(candidate("a", "eu", null, 1, 0)))).isInstanceOf(AllocationDecision.Reject.class);
    }

    @Test
    void badProviderSettingsAreNamed() {
        assertThatThrownBy(() -> AllocationStrategies.load("weighted", Map.of("filter", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no setting 'filter'");
        assertThatThrownBy(() -> AllocationStrategies.load("weighted", Map.of("filters", "tenant-pool,moon")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown filter 'moon'");
    }
}
