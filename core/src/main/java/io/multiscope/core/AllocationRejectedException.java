package io.multiscope.core;

import java.util.Map;

/** No DPS instance can take the device, and waiting will not change that (all draining, full, or filtered out). */
public class AllocationRejectedException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    private final transient Map<String, String> exclusions;

    public AllocationRejectedException(String registrationId, String message, Map<String, String> exclusions) {
        super(message, registrationId, null, null);
        this.exclusions = Map.copyOf(exclusions);
    }

    /** Per instance id, why it was not chosen. */
    public Map<String, String> exclusions() {
        return exclusions;
    }
}
