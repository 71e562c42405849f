package io.multiscope.testkit.internal.dps;

import io.multiscope.testkit.RequestKind;
import java.io.IOException;
import java.util.Optional;

/**
 * What happens to every request of an instance before and around its handler: it is counted, dropped if the
 * instance is down, subjected to injected faults, and timed; 401s and quota 429s are counted on the way out.
 */
public final class RequestGate {

    /** A request handler that may answer or throw {@link DpsError}. */
    @FunctionalInterface
    public interface Handler {
        void handle() throws IOException;
    }

    private RequestGate() {
    }

    /**
     * @param drop closes the request's connection without an answer, for a down instance
     */
    public static void run(InstanceRuntime instance, RequestKind kind, Runnable drop, Handler handler)
            throws IOException {
        InstanceCounters counters = instance.counters();
        counters.received(kind);
        if (!instance.isUp()) {
            counters.droppedOne();
            drop.run();
            return;
        }
        Optional<FaultPlan.Fault> fault = instance.faults().next(kind);
        if (fault.isPresent()) {
            if (fault.get() instanceof FaultPlan.Fail fail) {
                counters.faultInjected();
                throw FaultPlan.errorFor(fail.status());
            }
            sleep(((FaultPlan.Delay) fault.get()).delay().toMillis());
        }
        long start = System.nanoTime();
        try {
            handler.handle();
        } catch (DpsError e) {
            if (e.status() == 429) {
                counters.throttledOne();
            } else if (e.status() == 401) {
                counters.unauthorizedOne();
            }
            throw e;
        } finally {
            counters.handled(kind, System.nanoTime() - start);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
