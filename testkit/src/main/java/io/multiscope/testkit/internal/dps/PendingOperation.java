package io.multiscope.testkit.internal.dps;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registration operation. Its outcome is decided when the device registers; in realistic mode the device sees it
 * after the configured number of {@code assigning} polls.
 */
final class PendingOperation {

    private final String operationId;
    private final String registrationKey;
    private final RegistrationRecord outcome;
    private final AtomicInteger pollsLeft;

    PendingOperation(String operationId, String registrationKey, RegistrationRecord outcome, int pollsBeforeDone) {
        this.operationId = operationId;
        this.registrationKey = registrationKey;
        this.outcome = outcome;
        this.pollsLeft = new AtomicInteger(pollsBeforeDone);
    }

    String operationId() {
        return operationId;
    }

    String registrationKey() {
        return registrationKey;
    }

    RegistrationRecord outcome() {
        return outcome;
    }

    /** Counts one poll; true while the operation should still look {@code assigning}. */
    boolean stillAssigning() {
        return pollsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }
}
