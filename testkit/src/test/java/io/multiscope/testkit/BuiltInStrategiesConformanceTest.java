package io.multiscope.testkit;

import io.multiscope.core.allocation.Allocators;
import io.multiscope.spi.AllocationStrategies;
import io.multiscope.spi.AllocationStrategy;
import java.util.Map;
import org.junit.jupiter.api.Nested;

/** Every built-in strategy, and the compositions the documentation shows, pass the conformance kit. */
class BuiltInStrategiesConformanceTest {

    @Nested
    class LeastUtilised extends AllocationStrategyConformanceKit {
        @Override
        protected AllocationStrategy strategy() {
            return Allocators.leastUtilised();
        }
    }

    @Nested
    class Weighted extends AllocationStrategyConformanceKit {
        @Override
        protected AllocationStrategy strategy() {
            return Allocators.weighted();
        }
    }

    @Nested
    class Rendezvous extends AllocationStrategyConformanceKit {
        @Override
        protected AllocationStrategy strategy() {
            return Allocators.rendezvous();
        }
    }

    @Nested
    class RegionAffinityThenLeastUtilised extends AllocationStrategyConformanceKit {
        @Override
        protected AllocationStrategy strategy() {
            return Allocators.regionAffinity().then(Allocators.leastUtilised());
        }
    }

    @Nested
    class TenantPoolAndDataResidencyThenWeighted extends AllocationStrategyConformanceKit {
        @Override
        protected AllocationStrategy strategy() {
            return Allocators.tenantPool().and(Allocators.dataResidency()).then(Allocators.weighted());
        }
    }

    @Nested
    class LoadedByName extends AllocationStrategyConformanceKit {
        private final AllocationStrategy strategy =
                AllocationStrategies.load("rendezvous", Map.of("filters", "tenant-pool,region-affinity"));

        @Override
        protected AllocationStrategy strategy() {
            return strategy;
        }
    }
}
