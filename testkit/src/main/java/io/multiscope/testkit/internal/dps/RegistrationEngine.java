package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import io.multiscope.testkit.ReprovisionPolicy;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decides what a device registration leads to (assignment, failure or disabled; allocation; re-provisioning) and
 * records it when the register request arrives, as DPS finishes an assignment whether or not the device polls. In
 * realistic mode the device only learns the outcome from a poll.
 */
final class RegistrationEngine {

    /** The registration error code for a disabled enrollment (this emulator's number). */
    static final int DISABLED = 401208;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final HubAllocator allocator;
    private final boolean instant;
    private final int assigningPolls;

    /**
     * @param instant answer the register request with the outcome instead of {@code assigning}
     * @param assigningPolls in realistic mode, how many polls still answer {@code assigning} before the outcome
     */
    RegistrationEngine(HubAllocator allocator, boolean instant, int assigningPolls) {
        this.allocator = allocator;
        this.instant = instant;
        this.assigningPolls = assigningPolls;
    }

    boolean isInstant() {
        return instant;
    }

    OperationView register(InstanceRuntime instance, AttestedDevice device, JsonNode payload) {
        String key = VersionedStore.key(device.registrationId());
        ReentrantLock lock = instance.deviceLock(key);
        lock.lock();
        try {
            Instant now = instance.clock().instant();
            RegistrationRecord previous = instance.registrations().get(device.registrationId()).orElse(null);
            RegistrationRecord outcome = decide(instance, device, payload, previous, now);
            PendingOperation operation = new PendingOperation(newOperationId(), key, outcome,
                    instant ? 0 : assigningPolls);
            instance.track(operation);
            instance.registrations().put(outcome.registrationId(), outcome);
            instance.counters().outcome(outcome.isAssigned());
            return new OperationView(operation.operationId(), instant ? outcome : null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * @throws DpsError 404 if the operation is unknown or belongs to another device
     */
    OperationView poll(InstanceRuntime instance, String registrationId, String operationId) {
        PendingOperation operation = instance.operations().get(operationId);
        if (operation == null || !operation.registrationKey().equals(VersionedStore.key(registrationId))) {
            throw DpsError.of(404, DpsError.OPERATION_NOT_FOUND, "The operation '" + operationId
                    + "' does not exist for registration '" + registrationId + "'.");
        }
        if (operation.stillAssigning()) {
            return new OperationView(operationId, null);
        }
        return new OperationView(operationId, operation.outcome());
    }

    Optional<RegistrationRecord> lookup(InstanceRuntime instance, String registrationId) {
        return instance.registrations().get(registrationId);
    }

    private RegistrationRecord decide(InstanceRuntime instance, AttestedDevice device, JsonNode payload,
            RegistrationRecord previous, Instant now) {
        EnrollmentRecord enrollment = device.enrollment();
        String groupId = enrollment.group() ? enrollment.id() : null;
        Instant created = previous != null ? previous.created() : now;
        String currentHub = previous == null ? null : previous.lastAssignedHub();
        String currentDeviceId = previous == null ? null : previous.deviceId();
        JsonNode currentTwin = previous == null ? null : previous.twin();
        if (!enrollment.enabled()) {
            return new RegistrationRecord(device.registrationId(), currentDeviceId, "disabled", null, null, currentHub,
                    groupId, device.attestationType(), DISABLED, "The " + enrollment.kind() + " '" + enrollment.id()
                            + "' is disabled.", null, currentTwin, created, now, Etags.forRegistration());
        }
        ReprovisionPolicy policy = enrollment.reprovisionPolicy();
        boolean keepCurrentHub = currentHub != null && !policy.updateHubAssignment();
        AllocationResult result = allocator.allocate(instance, device, payload, previous, currentHub, keepCurrentHub);
        if (result instanceof AllocationResult.Failed failed) {
            return new RegistrationRecord(device.registrationId(), currentDeviceId, "failed", null, null, currentHub,
                    groupId, device.attestationType(), failed.errorCode(), failed.message(), null, currentTwin,
                    created, now, Etags.forRegistration());
        }
        AllocationResult.Allocated allocated = (AllocationResult.Allocated) result;
        JsonNode initialTwin = allocated.initialTwin() != null ? allocated.initialTwin() : enrollment.initialTwin();
        String substatus;
        JsonNode twin;
        if (currentHub == null) {
            substatus = "initialAssignment";
            twin = initialTwin;
        } else if (policy == ReprovisionPolicy.REPROVISION_AND_RESET) {
            substatus = "deviceDataReset";
            twin = initialTwin;
        } else if (allocated.hub().equalsIgnoreCase(currentHub)) {
            substatus = "reprovisionedToInitialAssignment";
            twin = currentTwin;
        } else {
            substatus = "deviceDataMigrated";
            twin = currentTwin;
        }
        String deviceId = !enrollment.group() && enrollment.deviceId() != null ? enrollment.deviceId()
                : device.registrationId();
        return new RegistrationRecord(device.registrationId(), deviceId, "assigned", substatus, allocated.hub(),
                allocated.hub(), groupId, device.attestationType(), null, null, allocated.payload(), twin, created, now,
                Etags.forRegistration());
    }

    private static String newOperationId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "5." + HexFormat.of().formatHex(b) + "." + UUID.randomUUID();
    }
}
