package io.multiscope.testkit.internal.dps;

import io.multiscope.testkit.RequestKind;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Faults a test asked for: the next N requests of some kinds fail with a status or are delayed. Thread-safe. */
public final class FaultPlan {

    /** What happens to a request a fault applies to. */
    public sealed interface Fault {
    }

    /** Answer with this HTTP status and a DPS error body. */
    public record Fail(int status) implements Fault {
    }

    /** Wait this long, then handle the request normally. */
    public record Delay(Duration delay) implements Fault {
    }

    private record Rule(Set<RequestKind> kinds, AtomicInteger remaining, Fault fault) {
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();

    /** Applies {@code fault} to the next {@code count} requests whose kind is in {@code kinds}. */
    public void add(int count, Set<RequestKind> kinds, Fault fault) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        rules.add(new Rule(kinds.isEmpty() ? EnumSet.allOf(RequestKind.class) : EnumSet.copyOf(kinds),
                new AtomicInteger(count), fault));
    }

    /** The fault for the next request of {@code kind}, if any; rules are used in the order they were added. */
    public Optional<Fault> next(RequestKind kind) {
        for (Rule rule : rules) {
            if (!rule.kinds().contains(kind)) {
                continue;
            }
            int left = rule.remaining().getAndUpdate(n -> n > 0 ? n - 1 : 0);
            if (left > 0) {
                if (left == 1) {
                    rules.remove(rule);
                }
                return Optional.of(rule.fault());
            }
        }
        return Optional.empty();
    }

    public void clear() {
        rules.clear();
    }

    /** The error an injected failure status produces. */
    public static DpsError errorFor(int status) {
        String message = switch (status) {
            case 429 -> "Operations are being throttled for this tenant.";
            case 500 -> "An internal error occurred.";
            case 503 -> "The service is temporarily unavailable.";
            default -> "Injected failure with status " + status + ".";
        };
        int code = status * 1000 + 1;
        return status == 429 || status == 503 ? DpsError.withRetryAfter(status, code, message, 1)
                : DpsError.of(status, code, message);
    }
}
