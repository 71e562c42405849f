package io.multiscope.testkit;

/**
 * Live counts of what one emulated DPS instance has seen since it started or was last {@linkplain
 * EmulatedDpsInstance#reset() reset}. Every request is counted under its {@link RequestKind} whatever its outcome;
 * the outcome counters say how many were throttled, failed on purpose, dropped, and so on.
 */
public interface RequestCounters {

    /** Requests of {@code kind} received, including throttled, rejected and faulted ones. */
    long count(RequestKind kind);

    /** Register (PUT) requests received. */
    default long registrations() {
        return count(RequestKind.REGISTER);
    }

    /** Operation status (GET) polls received. */
    default long operationStatusPolls() {
        return count(RequestKind.OPERATION_STATUS);
    }

    /** Registration status lookups (POST) received. */
    default long statusLookups() {
        return count(RequestKind.STATUS_LOOKUP);
    }

    /** Service API requests received. */
    default long serviceOperations() {
        return count(RequestKind.SERVICE_OPERATION);
    }

    /** Requests of every kind. */
    default long total() {
        long sum = 0;
        for (RequestKind kind : RequestKind.values()) {
            sum += count(kind);
        }
        return sum;
    }

    /** Requests answered 429 because a quota was exhausted (injected 429s are counted as faults instead). */
    long throttled();

    /** Requests answered with an injected failure status. */
    long faultsInjected();

    /** Requests whose connection was closed unanswered because the instance was down. */
    long dropped();

    /** Device requests rejected with 401. */
    long unauthorized();

    /** Registrations that ended {@code assigned}. */
    long assigned();

    /** Registrations that ended {@code failed} or {@code disabled}. */
    long notAssigned();

    /**
     * Mean time the emulator spent handling a request of {@code kind} (parsing, checks, allocation, writing the
     * answer; not TLS or injected delays), in nanoseconds; 0 if none was handled. A request's time is recorded just
     * after its answer is sent, so it may show up a moment after the client has the answer.
     */
    long meanHandlingNanos(RequestKind kind);
}
