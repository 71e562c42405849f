package io.multiscope.spi;

/** A strategy name that is unknown, registered twice, or whose provider fails to load. */
public class AllocationStrategyDiscoveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AllocationStrategyDiscoveryException(String message) {
        super(message);
    }

    public AllocationStrategyDiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
