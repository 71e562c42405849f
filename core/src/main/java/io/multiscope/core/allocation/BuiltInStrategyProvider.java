package io.multiscope.core.allocation;

import io.multiscope.spi.AllocationStrategy;
import io.multiscope.spi.AllocationStrategyProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Registers the built-in choosers by name. Configuration key {@code filters} takes a comma-separated list of
 * {@code tenant-pool}, {@code data-residency} and {@code region-affinity}, applied in that order before the chooser.
 */
public abstract class BuiltInStrategyProvider implements AllocationStrategyProvider {

    private static final Set<String> KEYS = Set.of("filters");

    private final String name;
    private final Supplier<AllocationStrategy> chooser;

    BuiltInStrategyProvider(String name, Supplier<AllocationStrategy> chooser) {
        this.name = name;
        this.chooser = chooser;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AllocationStrategy create(Map<String, String> configuration) {
        for (String key : configuration.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("Strategy '" + name + "' has no setting '" + key
                        + "'; known settings: " + KEYS);
            }
        }
        String filters = configuration.getOrDefault("filters", "").strip();
        if (filters.isEmpty()) {
            return chooser.get();
        }
        List<CandidateFilter> chain = new ArrayList<>();
        for (String f : filters.split(",")) {
            chain.add(switch (f.strip()) {
                case "tenant-pool" -> Allocators.tenantPool();
                case "data-residency" -> Allocators.dataResidency();
                case "region-affinity" -> Allocators.regionAffinity();
                default -> throw new IllegalArgumentException("Strategy '" + name + "': unknown filter '" + f.strip()
                        + "'; known filters: tenant-pool, data-residency, region-affinity");
            });
        }
        CandidateFilter combined = chain.get(0);
        for (CandidateFilter f : chain.subList(1, chain.size())) {
            combined = combined.and(f);
        }
        return combined.then(chooser.get());
    }

    /** {@code least-utilised}. */
    public static final class LeastUtilised extends BuiltInStrategyProvider {
        public LeastUtilised() {
            super("least-utilised", Allocators::leastUtilised);
        }
    }

    /** {@code weighted}. */
    public static final class Weighted extends BuiltInStrategyProvider {
        public Weighted() {
            super("weighted", Allocators::weighted);
        }
    }

    /** {@code rendezvous}. */
    public static final class Rendezvous extends BuiltInStrategyProvider {
        public Rendezvous() {
            super("rendezvous", Allocators::rendezvous);
        }
    }
}
