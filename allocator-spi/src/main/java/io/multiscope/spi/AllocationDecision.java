package io.multiscope.spi;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What a strategy decided: place the device on one candidate, ask it to come back later, or refuse it. */
public sealed interface AllocationDecision {

    static Assign assign(String candidateId) {
        return new Assign(candidateId);
    }

    static Defer defer(Duration retryAfter, String reason) {
        return new Defer(retryAfter, reason);
    }

    /** A rejection with a summary and, per excluded candidate id, why it was excluded. */
    static Reject reject(String reason, Map<String, String> exclusions) {
        return new Reject(reason, exclusions);
    }

    static Reject reject(String reason) {
        return new Reject(reason, Map.of());
    }

    /** Place the device on the candidate with this id. */
    record Assign(String candidateId) implements AllocationDecision {
        public Assign {
            Objects.requireNonNull(candidateId, "candidateId");
        }
    }

    /** No candidate can take the device now; it should retry after the given delay. */
    record Defer(Duration retryAfter, String reason) implements AllocationDecision {
        public Defer {
            Objects.requireNonNull(retryAfter, "retryAfter");
            Objects.requireNonNull(reason, "reason");
            if (retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
            }
        }
    }

    /** No candidate is acceptable for this device, and waiting will not change that. */
    record Reject(String reason, Map<String, String> exclusions) implements AllocationDecision {
        public Reject {
            Objects.requireNonNull(reason, "reason");
            exclusions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(exclusions));
        }

        /** The reason followed by each excluded candidate and why, e.g. {@code "no eligible instance: a: draining"}. */
        public String describe() {
            if (exclusions.isEmpty()) {
                return reason;
            }
            StringBuilder sb = new StringBuilder(reason).append(": ");
            String sep = "";
            for (Map.Entry<String, String> e : exclusions.entrySet()) {
                sb.append(sep).append(e.getKey()).append(" (").append(e.getValue()).append(')');
                sep = ", ";
            }
            return sb.toString();
        }
    }
}
