package io.multiscope.spi;

import java.util.Map;

/**
 * Makes an {@link AllocationStrategy} available by name through {@link java.util.ServiceLoader}.
 *
 * <p>Register an implementation in {@code META-INF/services/io.multiscope.spi.AllocationStrategyProvider}, then
 * select it with {@link AllocationStrategies#load(String, Map)}.
 */
public interface AllocationStrategyProvider {

    /** The name the strategy is selected by, e.g. {@code "least-utilised"}; lower case, unique on the class path. */
    String name();

    /** Creates the strategy from its configuration; throws {@link IllegalArgumentException} for a bad setting. */
    AllocationStrategy create(Map<String, String> configuration);
}
