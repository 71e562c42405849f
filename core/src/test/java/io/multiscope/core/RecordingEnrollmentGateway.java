package io.multiscope.core;

import io.multiscope.core.dps.DpsCallException;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.dps.DpsEnrollmentGateway;
import io.multiscope.core.dps.GroupSetup;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for the DPS service API where a core test needs to see which registrations were deleted, or make the
 * deletion fail; the real service client against the emulator is tested in the testkit.
 */
final class RecordingEnrollmentGateway implements DpsEnrollmentGateway {

    /** "instance/registrationId" of every delete call, in order. */
    final List<String> deletes = new CopyOnWriteArrayList<>();
    /** "instance/registrationId" of the registrations that exist. */
    final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failureStatus;

    /** The next {@code count} deletes fail with {@code status}. */
    void failNext(int count, int status) {
        failureStatus = status;
        failures.set(count);
    }

    @Override
    public boolean deleteRegistrationState(DpsCredentials credentials, String registrationId) {
        String key = credentials.instanceId() + "/" + registrationId;
        deletes.add(key);
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new DpsCallException("DPS instance '" + credentials.instanceId() + "' answered " + failureStatus,
                    registrationId, credentials.instanceId(), failureStatus, Optional.empty(), null);
        }
        return registered.remove(key);
    }

    @Override
    public GroupSetup ensureGroup(DpsCredentials credentials) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean deleteIndividualEnrollment(DpsCredentials credentials, String registrationId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Set<String> registrationsInGroup(DpsCredentials credentials) {
        throw new UnsupportedOperationException();
    }
}
