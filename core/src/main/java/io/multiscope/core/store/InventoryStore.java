package io.multiscope.core.store;

import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.spi.InstanceState;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The system of record: which DPS instance every device belongs to, the registry of instances, and how many devices
 * each instance holds.
 *
 * <p>Contract every implementation meets (and {@code InventoryStoreCompatibilityKit} in the testkit checks):
 * <ul>
 *   <li>Registration ids are passed lower-cased and valid ({@link io.multiscope.core.RegistrationIds#normalise});
 *       anything else is refused with {@link io.multiscope.core.InvalidRequestException}.</li>
 *   <li>Writes that create or remove an assignment move the instance's count in the same atomic step, so
 *       {@link #assignedCount} always equals the number of assignments on the instance.</li>
 *   <li>{@link #assign} is idempotent and race-free: concurrent calls for one device create one record and one count;
 *       concurrent calls for different devices never push an instance past its capacity.</li>
 *   <li>Every change of an existing record is conditional on its {@link DeviceAssignment#version()}; a stale version
 *       fails with {@link ConcurrentUpdateException} and changes nothing.</li>
 *   <li>Failures of the underlying database surface as {@link StoreException}, marked transient where retrying can
 *       help.</li>
 * </ul>
 */
public interface InventoryStore extends AutoCloseable {

    /** Adds an instance, or replaces the configuration of a known one (its devices and count are kept). */
    void upsertInstance(DpsInstance instance);

    Optional<DpsInstance> findInstance(String instanceId);

    /** Every registered instance, ordered by id. */
    List<DpsInstance> instances();

    /**
     * Changes an instance's state (drain, disable, re-activate).
     *
     * @return the instance as stored now
     * @throws UnknownInstanceException if no instance has that id
     */
    DpsInstance setInstanceState(String instanceId, InstanceState state);

    /**
     * Devices assigned to the instance now.
     *
     * @throws UnknownInstanceException if no instance has that id
     */
    long assignedCount(String instanceId);

    /** Devices assigned to each registered instance, by instance id. */
    Map<String, Long> assignedCounts();

    Optional<DeviceAssignment> findAssignment(String registrationId);

    /**
     * Assigns a device to an instance unless it already has an assignment.
     *
     * @return {@link AssignOutcome.Created} with the new record; {@link AssignOutcome.Existing} with the record that
     *     was already there (whichever instance it names; nothing changes); {@link AssignOutcome.Refused} when the
     *     instance is not {@link InstanceState#ACTIVE} or has no free slot (nothing changes)
     * @throws UnknownInstanceException if no instance has that id
     */
    AssignOutcome assign(NewAssignment assignment);

    /**
     * Replaces the mutable fields of a record (tenant, hub, device id, state) if its stored version equals
     * {@code updated.version()}. The instance cannot change here: use {@link #move}.
     *
     * @return the record as stored, with its version increased by one
     * @throws DeviceNotFoundException if the device has no record
     * @throws ConcurrentUpdateException if the stored version differs
     */
    DeviceAssignment update(DeviceAssignment updated);

    /**
     * Moves a device to another instance, moving one count from the old instance to the new one atomically. The hub
     * and device id are cleared and the state becomes {@link io.multiscope.core.AssignmentState#ASSIGNED}.
     *
     * @return {@link AssignOutcome.Created} with the moved record, or {@link AssignOutcome.Refused} if the target is
     *     not active or full (nothing changes)
     * @throws DeviceNotFoundException if the device has no record
     * @throws ConcurrentUpdateException if the stored version differs from {@code expectedVersion}
     * @throws UnknownInstanceException if the target does not exist
     */
    AssignOutcome move(String registrationId, long expectedVersion, String targetInstanceId);

    /**
     * Removes a device's record and frees its count.
     *
     * @return true if removed; false if the device had no record (releasing twice is harmless)
     * @throws ConcurrentUpdateException if the record exists with another version
     */
    boolean release(String registrationId, long expectedVersion);

    /**
     * A page of the devices on an instance in registration-id order, after {@code afterRegistrationId} (exclusive).
     *
     * @param limit 1 to 10,000
     */
    InventoryPage assignmentsOn(String instanceId, Optional<String> afterRegistrationId, int limit);

    /**
     * The ownership registry kept in the same database (patterns 3 and 4: owners, active DPS instance, claim codes,
     * transfer history).
     *
     * @throws UnsupportedOperationException if this store keeps none
     */
    default OwnershipRegistry ownership() {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no ownership registry; the redirect"
                + " and installer patterns need a store that does (the in-memory, JDBC and Cosmos DB stores do)");
    }

    /** Releases resources the store owns (not a {@code DataSource} or client the application passed in). */
    @Override
    default void close() {
    }
}
