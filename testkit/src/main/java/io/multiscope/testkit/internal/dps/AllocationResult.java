package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;

/** What allocation decided for a device. */
sealed interface AllocationResult {

    /**
     * @param initialTwin the webhook's initial twin, or {@code null} to use the enrollment's
     * @param payload the webhook's payload for the device (an object), or {@code null}
     */
    record Allocated(String hub, JsonNode initialTwin, JsonNode payload) implements AllocationResult {
    }

    record Failed(int errorCode, String message) implements AllocationResult {
    }
}
