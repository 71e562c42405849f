package io.multiscope.spi;

import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Finds {@link AllocationStrategyProvider}s on the class path by name. */
public final class AllocationStrategies {

    private AllocationStrategies() {
    }

    /** Loads the strategy registered under {@code name} from the context class loader. */
    public static AllocationStrategy load(String name, Map<String, String> configuration) {
        return load(name, configuration, Thread.currentThread().getContextClassLoader());
    }

    /**
     * Loads the strategy registered under {@code name}.
     *
     * @throws AllocationStrategyDiscoveryException if no provider or more than one provider has that name; the
     *     message lists the known names, or the classes and jars that clash
     */
    public static AllocationStrategy load(String name, Map<String, String> configuration, ClassLoader loader) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(configuration, "configuration");
        Map<String, List<AllocationStrategyProvider>> byName = providers(loader);
        List<AllocationStrategyProvider> matches = byName.get(name);
        if (matches == null) {
            throw new AllocationStrategyDiscoveryException("No allocation strategy named '" + name
                    + "'. Known strategies: " + (byName.isEmpty() ? "(none)" : String.join(", ", byName.keySet()))
                    + ". Register a provider in META-INF/services/" + AllocationStrategyProvider.class.getName() + ".");
        }
        if (matches.size() > 1) {
            throw new AllocationStrategyDiscoveryException("Allocation strategy name '" + name
                    + "' is registered by more than one provider: "
                    + matches.stream().map(AllocationStrategies::describe).collect(Collectors.joining("; "))
                    + ". Remove one of them from the class path or rename it.");
        }
        AllocationStrategy strategy = matches.get(0).create(configuration);
        if (strategy == null) {
            throw new AllocationStrategyDiscoveryException("Provider " + describe(matches.get(0))
                    + " returned no strategy for '" + name + "'");
        }
        return strategy;
    }

    /** Every registered name, sorted; useful for help texts. */
    public static List<String> names(ClassLoader loader) {
        return new ArrayList<>(providers(loader).keySet());
    }

    private static Map<String, List<AllocationStrategyProvider>> providers(ClassLoader loader) {
        Map<String, List<AllocationStrategyProvider>> byName = new TreeMap<>();
        try {
            for (AllocationStrategyProvider provider : ServiceLoader.load(AllocationStrategyProvider.class, loader)) {
                byName.computeIfAbsent(provider.name(), n -> new ArrayList<>()).add(provider);
            }
        } catch (ServiceConfigurationError e) {
            throw new AllocationStrategyDiscoveryException("A registered allocation strategy provider could not be "
                    + "loaded: " + e.getMessage(), e);
        }
        return byName;
    }

    private static String describe(AllocationStrategyProvider provider) {
        Class<?> type = provider.getClass();
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        return type.getName() + " (" + (location == null ? "unknown location" : location) + ")";
    }
}
