package io.multiscope.core.ownership;

import java.util.List;
import java.util.Optional;

/**
 * Which tenant owns each device and which DPS instance is active for it, with the history of every transfer. The
 * registry behind the redirect pattern (a factory DPS sends each device on to its owner's DPS) and the installer
 * pattern (claim codes).
 *
 * <p>Contract every implementation meets (and {@code OwnershipRegistryCompatibilityKit} in the testkit checks):
 * <ul>
 *   <li>Registration ids are passed lower-cased and valid ({@link io.multiscope.core.RegistrationIds#normalise});
 *       owners follow {@link OwnerIds}. Anything else is refused with
 *       {@link io.multiscope.core.InvalidRequestException} and changes nothing. The records themselves refuse values
 *       longer than every store keeps (instance ids over 64 characters, actors and installers over 256).</li>
 *   <li>Text (actor, installer, claim hash) is stored verbatim; instants to the microsecond (the records drop finer
 *       parts), and the registry stamps {@code createdAt}, {@code updatedAt} and a transfer's {@code at} from its
 *       clock.</li>
 *   <li>{@link #register} is idempotent and race-free: concurrent calls for one device create one record.</li>
 *   <li>{@link #update} and {@link #transfer} are conditional on the record's version; a stale version fails with
 *       {@link io.multiscope.core.store.ConcurrentUpdateException} and changes nothing. Of two concurrent writers
 *       with the same version exactly one wins, which is what makes a claim code single-use.</li>
 *   <li>{@link #transfer} changes the owner and appends one history entry in the same atomic step: the history
 *       never misses a transfer and never holds one that did not happen.</li>
 *   <li>Failures of the underlying database surface as {@link io.multiscope.core.store.StoreException}.</li>
 * </ul>
 */
public interface OwnershipRegistry {

    /**
     * Adds a device unless it is already registered.
     *
     * @return {@link OwnershipOutcome.Created} with the new record (version 1), or {@link OwnershipOutcome.Existing}
     *     with the stored record, unchanged
     */
    OwnershipOutcome register(NewOwnership device);

    Optional<Ownership> find(String registrationId);

    /**
     * Stores a new active instance and claim state if the stored version equals {@code updated.version()}. The owner
     * cannot change here: use {@link #transfer}, which keeps the history.
     *
     * @return the record as stored, with its version increased by one
     * @throws OwnershipNotFoundException if the device is not registered
     * @throws io.multiscope.core.store.ConcurrentUpdateException if the stored version differs
     * @throws io.multiscope.core.InvalidRequestException if {@code updated} names another owner
     */
    Ownership update(Ownership updated);

    /**
     * Gives the device to {@code request.newOwner()} with the given active instance (or none) and records the
     * transfer in the history, atomically. The claim code is kept as it is.
     *
     * @return the record as stored, with its version increased by one
     * @throws OwnershipNotFoundException if the device is not registered
     * @throws io.multiscope.core.store.ConcurrentUpdateException if the stored version differs
     */
    Ownership transfer(TransferRequest request);

    /** The device's transfers, oldest first; empty for an unknown device. */
    List<OwnershipTransfer> history(String registrationId);

    /**
     * A page of the devices an owner holds, in registration-id order, after {@code afterRegistrationId} (exclusive).
     *
     * @param limit 1 to 10,000
     */
    OwnershipPage ownedBy(String owner, Optional<String> afterRegistrationId, int limit);

    /**
     * Removes a device and its history from the registry (a scrapped device).
     *
     * @return true if removed; false if it was not registered
     * @throws io.multiscope.core.store.ConcurrentUpdateException if the record exists with another version
     */
    boolean remove(String registrationId, long expectedVersion);
}
