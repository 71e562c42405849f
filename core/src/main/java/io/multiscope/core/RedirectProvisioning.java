package io.multiscope.core;

import com.github.benmanes.caffeine.cache.Ticker;
import io.multiscope.core.admission.ThrottleFeedback;
import io.multiscope.core.allocation.Allocators;
import io.multiscope.core.dps.AzureSdkEnrollmentGateway;
import io.multiscope.core.dps.DpsCallException;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.dps.DpsEnrollmentGateway;
import io.multiscope.core.internal.FleetSnapshot;
import io.multiscope.core.internal.admission.TokenBucket;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.OwnerIds;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipNotFoundException;
import io.multiscope.core.ownership.OwnershipOutcome;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.ownership.TransferRequest;
import io.multiscope.core.retry.RetryPolicy;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.store.UnknownInstanceException;
import io.multiscope.core.time.Sleeper;
import io.multiscope.spi.AllocationDecision;
import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.AllocationStrategy;
import io.multiscope.spi.Candidate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pattern 3 of the architecture: zero-touch provisioning with transfer of ownership. Every device leaves the factory
 * configured for one <em>factory</em> DPS; that DPS's custom allocation webhook (served by
 * {@link io.multiscope.core.http.AllocationWebhook}) asks this service where the device belongs now, and answers with
 * a staging hub and a redirect payload naming the DPS instance of the device's current owner. The device then
 * registers there. Ownership changes ({@link #transfer}) are recorded here; the device learns of them on its next
 * reprovisioning and follows the new redirect.
 *
 * <p><b>Owners and instances.</b> Each target DPS instance serves one owner: its {@link DpsInstance#tenantPool()}. An
 * owner may have several instances; the {@link AllocationStrategy} picks one for a device the first time (and on a
 * transfer), honouring state and capacity through {@link InventoryStore#assign}. Once chosen, the instance is sticky:
 * it is recorded in the {@link OwnershipRegistry} ({@link Ownership#activeInstanceId()}) and in the inventory (an
 * assignment whose tenant is the owner, so instance counts are right).
 *
 * <p><b>Consistency.</b> The ownership registry is the source of truth; the inventory follows it. A transfer writes
 * the registry first (owner, active instance and history in one conditional step), then moves the assignment. If a
 * node dies in between, the device's next allocation, or the same transfer repeated, completes the move. Concurrent
 * transfers or first allocations of one device serialise on the registry's and the store's versions: one history entry
 * per transfer, one assignment and one count per device.
 *
 * <p><b>Deprovisioning.</b> After a transfer the device's registration state on the instance it left is deleted
 * through the DPS service API, for instances configured with {@link DpsCredentials} (a service connection string).
 * If that call fails the transfer still stands; the result says the cleanup is pending, and
 * {@link #retryCleanup}/{@link #retryPendingCleanups} try again.
 *
 * <p>Thread-safe; all shared state is in the store, so several nodes may serve one fleet (pending cleanups are
 * remembered per node; {@link #history} has what is needed to recompute them).
 *
 * <pre>{@code
 * RedirectProvisioning redirect = RedirectProvisioning.builder()
 *     .instance(DpsInstance.builder("dps-acme").idScope("0ne000AC3E1").region("westeurope").tenantPool("acme")
 *         .build(), acmeCredentials)                  // credentials: to delete registrations of devices that leave
 *     .instance(DpsInstance.builder("dps-globex").idScope("0ne0006B0E1").region("westeurope")
 *         .tenantPool("globex").build())
 *     .store(store)                                    // its ownership() registry says who owns which device
 *     .build();
 * ProvisioningApi api = ProvisioningApi.builder().redirect(redirect, FunctionKeys.of(webhookKey))
 *     .admin(AdminAuthenticator.bearerToken(adminToken)).build();
 * // Factory DPS: an enrollment group with custom allocation, webhook
 * // https://provisioning.example.com/v1/dps/allocations?code=<webhookKey>
 * redirect.transfer("sensor-42", "globex", "ops@vendor.example");
 * }</pre>
 */
public final class RedirectProvisioning {

    private static final Logger LOG = LoggerFactory.getLogger(RedirectProvisioning.class);
    /** DPS's documented service-operation quota (operations per minute per DPS service); a transfer costs one. */
    public static final int DEFAULT_TRANSFERS_PER_MINUTE = 1_000;
    /** The longest actor name a transfer records. */
    public static final int MAX_ACTOR_LENGTH = 128;
    /**
     * How often one call re-reads a device that others keep changing before giving up; each retry means another
     * writer made progress.
     */
    private static final int MAX_ATTEMPTS = 16;
    /** Bulk transfers may start this much of a minute's budget at once. */
    private static final double BURST_MINUTES = 1.0 / 60;

    private final InventoryStore store;
    private final OwnershipRegistry registry;
    private final AllocationStrategy strategy;
    private final Clock clock;
    private final Sleeper sleeper;
    private final FleetSnapshot fleet;
    private final Map<String, DpsCredentials> credentials;
    private final DpsEnrollmentGateway enrollments;
    private final RetryPolicy dpsRetry;
    private final Optional<String> unknownDeviceOwner;
    private final Optional<String> preferredStagingHub;
    private final int transfersPerMinute;
    private final TokenBucket transferBudget;
    private final Map<String, RegistrationCleanup> pendingCleanups = new ConcurrentHashMap<>();

    /** How the assignment's state changes when the inventory is brought in line with the registry. */
    private enum StateRule {
        /** The device is at the factory now: whatever it was told to do, it is doing it. */
        CLEAR_PENDING,
        /** A transfer: the device must provision again to follow. */
        MARK_PENDING
    }

    /**
     * Where {@link #follow} left the device.
     *
     * @param movedFrom the instance the assignment was moved away from, if it was moved
     */
    private record Placement(Ownership ownership, DeviceAssignment assignment, boolean newlyAssigned,
            Optional<String> movedFrom) {
    }

    private RedirectProvisioning(Builder b) {
        this.store = b.store;
        this.registry = b.registry;
        this.strategy = b.strategy;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.credentials = Map.copyOf(b.credentials);
        this.enrollments = b.enrollments != null ? b.enrollments : AzureSdkEnrollmentGateway.create();
        RetryPolicy.Builder retry = RetryPolicy.builder()
                .retryIf(e -> e instanceof DpsCallException d && d.isTransient())
                .retryAfter(e -> e instanceof DpsCallException d ? d.retryAfter() : Optional.empty())
                .maxAttempts(3)
                .baseDelay(Duration.ofMillis(500))
                .maxDelay(Duration.ofSeconds(5))
                .maxElapsed(Duration.ofSeconds(15))
                .clock(b.clock)
                .sleeper(b.sleeper);
        b.retryCustomiser.accept(retry);
        this.dpsRetry = retry.build();
        this.unknownDeviceOwner = Optional.ofNullable(b.unknownDeviceOwner);
        this.preferredStagingHub = Optional.ofNullable(b.preferredStagingHub);
        this.transfersPerMinute = b.transfersPerMinute;
        this.transferBudget = new TokenBucket(b.transfersPerMinute, BURST_MINUTES, ThrottleFeedback.pauseOnly(),
                nanos(b.clock.instant()));
        for (DpsInstance instance : b.instances.values()) {
            store.upsertInstance(instance);
        }
        this.fleet = new FleetSnapshot(store, b.ticker::read, b.snapshotInterval);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Answers a factory DPS asking where a device belongs: its owner's active DPS instance, chosen with the strategy
     * and recorded the first time. A device that was marked for reprovisioning is now doing it, so the mark is
     * cleared.
     *
     * @param registrationId as DPS sent it (case does not matter)
     * @throws InvalidRequestException if the registration id breaks DPS rules
     * @throws OwnershipNotFoundException if the device is not in the ownership registry and unknown devices are
     *     refused (the default; see {@link Builder#unknownDevicesOwnedBy})
     * @throws AllocationRejectedException if none of the owner's instances can take the device (or none serves it)
     * @throws DpsUnavailableException if the strategy asked to come back later
     */
    public RedirectTarget allocate(String registrationId) {
        String id = RegistrationIds.normalise(registrationId);
        if (registry.find(id).isEmpty()) {
            String owner = unknownDeviceOwner.orElseThrow(() -> new OwnershipNotFoundException(id));
            if (registry.register(NewOwnership.of(id, owner)) instanceof OwnershipOutcome.Created) {
                LOG.info("Device {} was not in the ownership registry; registered it to the default owner {}", id,
                        owner);
            }
        }
        Placement p = follow(id, StateRule.CLEAR_PENDING);
        // Only an interrupted transfer leaves an assignment to move here; its old registration is deleted later
        // (retryPendingCleanups), not on the factory DPS's clock.
        p.movedFrom().ifPresent(from -> pendingCleanups.put(cleanupKey(id, from), new RegistrationCleanup(id, from,
                RegistrationCleanup.Status.PENDING, Optional.of("moved when the device came to the factory DPS"))));
        DeviceAssignment a = p.assignment();
        return new RedirectTarget(id, p.ownership().owner(), a.instanceId(), a.idScope(), a.globalEndpoint(),
                p.newlyAssigned());
    }

    /**
     * The IoT hub a factory DPS assigns the device to while redirecting it (DPS requires one of its linked hubs): the
     * configured preferred hub if it is linked, else the device's current hub if it is linked (a reprovisioning device
     * stays where it is), else one chosen by a stable hash of the registration id, so the choice is the same on every
     * node and every call.
     *
     * @param linkedHubs the hubs the webhook may choose from (DPS's {@code linkedHubs}); compared case-insensitively
     * @param currentHub the device's current hub, when DPS says it is reprovisioning
     * @throws InvalidRequestException if {@code linkedHubs} is empty
     */
    public String stagingHub(String registrationId, List<String> linkedHubs, Optional<String> currentHub) {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(linkedHubs, "linkedHubs");
        Objects.requireNonNull(currentHub, "currentHub");
        // Sorted and de-duplicated, so the hash picks the same hub whatever order DPS lists them in.
        Set<String> distinct = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String h : linkedHubs) {
            if (h != null && !h.isBlank()) {
                distinct.add(h);
            }
        }
        List<String> hubs = new ArrayList<>(distinct);
        if (hubs.isEmpty()) {
            throw new InvalidRequestException("no-linked-hub", "The factory DPS offered no linked IoT hub for device '"
                    + registrationId + "'; link a staging hub to it", registrationId);
        }
        for (Optional<String> wanted : List.of(preferredStagingHub, currentHub)) {
            if (wanted.isPresent()) {
                for (String h : hubs) {
                    if (h.equalsIgnoreCase(wanted.get())) {
                        return h;
                    }
                }
            }
        }
        return hubs.get(Math.floorMod(stableHash(registrationId.toLowerCase(Locale.ROOT)), hubs.size()));
    }

    /**
     * Gives a device to {@code newOwner}: records the transfer in the ownership registry (with its history), picks
     * one of the new owner's instances, moves the device's assignment there (the counts move with it) and marks it
     * {@link AssignmentState#REPROVISION_PENDING}, then deletes the device's registration on the instance it left.
     * Not rate-limited: use {@link #transferAll} for many devices. Repeating a transfer is harmless (the result is
     * {@link TransferResult.Status#ALREADY_OWNED}), and completes one a failure interrupted.
     *
     * @param actor who asks, recorded in the history (1 to {@value #MAX_ACTOR_LENGTH} printable characters)
     * @throws InvalidRequestException if the registration id, owner or actor break a rule, or no DPS instance serves
     *     {@code newOwner} (type {@code unknown-owner}); nothing changed
     * @throws OwnershipNotFoundException if the device is not in the ownership registry; nothing changed
     * @throws AllocationRejectedException if none of the new owner's instances can take the device; nothing changed
     */
    public TransferResult transfer(String registrationId, String newOwner, String actor) {
        String id = RegistrationIds.normalise(registrationId);
        checkOwnerAndActor(newOwner, actor);
        try {
            return transferChecked(id, newOwner, actor, () -> { });
        } catch (InterruptedException e) {
            throw new IllegalStateException("not reached: single transfers do not wait", e);
        }
    }

    /**
     * Transfers many devices to {@code newOwner}, one after another, at most {@link Builder#transfersPerMinute} a
     * minute (this service's budget, shared by concurrent bulk transfers; waits happen through the configured
     * {@link Sleeper}). Every id is validated before anything changes; then each device gets its own result: a
     * failure of one does not stop the others.
     *
     * @throws InvalidRequestException if the list is empty, an id, the owner or the actor break a rule, or no
     *     instance serves {@code newOwner}; nothing changed
     */
    public TransferReport transferAll(Collection<String> registrationIds, String newOwner, String actor) {
        Objects.requireNonNull(registrationIds, "registrationIds");
        if (registrationIds.isEmpty()) {
            throw new InvalidRequestException("no-devices", "A bulk transfer needs at least one registration id");
        }
        Set<String> ids = new LinkedHashSet<>();
        int index = 0;
        for (String raw : registrationIds) {
            String problem = RegistrationIds.problem(raw);
            if (problem != null) {
                throw new InvalidRequestException("invalid-registration-id", "Registration id #" + index + ": "
                        + problem + "; nothing was transferred", raw);
            }
            ids.add(raw.toLowerCase(Locale.ROOT));
            index++;
        }
        checkOwnerAndActor(newOwner, actor);
        List<TransferResult> results = new ArrayList<>(ids.size());
        boolean interrupted = false;
        for (String id : ids) {
            if (interrupted) {
                results.add(TransferResult.failed(id, newOwner, "interrupted before this device's turn"));
                continue;
            }
            try {
                results.add(transferChecked(id, newOwner, actor, this::awaitTransferBudget));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                interrupted = true;
                results.add(TransferResult.failed(id, newOwner, "interrupted before this device's turn"));
            } catch (OwnershipNotFoundException e) {
                results.add(TransferResult.unknownDevice(id, newOwner));
            } catch (RuntimeException e) {
                LOG.warn("Transfer of device {} to {} failed: {}", id, newOwner, e.getMessage(), e);
                results.add(TransferResult.failed(id, newOwner, e.getMessage() != null ? e.getMessage()
                        : e.getClass().getSimpleName()));
            }
        }
        return new TransferReport(newOwner, results);
    }

    /** The device's ownership record (owner, active instance), if it is in the registry. */
    public Optional<Ownership> ownership(String registrationId) {
        return registry.find(RegistrationIds.normalise(registrationId));
    }

    /** The device's transfers, oldest first; empty for an unknown device. */
    public List<OwnershipTransfer> history(String registrationId) {
        return registry.history(RegistrationIds.normalise(registrationId));
    }

    /** The device's inventory assignment (instance, state), if it has been placed. */
    public Optional<DeviceAssignment> assignment(String registrationId) {
        return store.findAssignment(RegistrationIds.normalise(registrationId));
    }

    /**
     * Deletes the device's registration state on an instance it left, again (after a {@link
     * RegistrationCleanup.Status#PENDING} cleanup).
     *
     * @throws InvalidRequestException if that instance is the one the device is meant to be on now: deleting there
     *     would deprovision it
     * @throws UnknownInstanceException if the store knows no such instance
     */
    public RegistrationCleanup retryCleanup(String registrationId, String instanceId) {
        String id = RegistrationIds.normalise(registrationId);
        Objects.requireNonNull(instanceId, "instanceId");
        if (store.findInstance(instanceId).isEmpty()) {
            throw new UnknownInstanceException(instanceId);
        }
        Optional<String> active = registry.find(id).flatMap(Ownership::activeInstanceId);
        if (active.isPresent() && active.get().equals(instanceId)) {
            pendingCleanups.remove(cleanupKey(id, instanceId));
            throw new InvalidRequestException("cleanup-of-active-instance", "Device '" + id + "' belongs on DPS "
                    + "instance '" + instanceId + "' now; its registration there is not deleted", id);
        }
        return cleanUp(id, instanceId);
    }

    /** The cleanups this node tried and could not finish, oldest device first. */
    public List<RegistrationCleanup> pendingCleanups() {
        List<RegistrationCleanup> list = new ArrayList<>(pendingCleanups.values());
        list.sort(Comparator.comparing(RegistrationCleanup::registrationId)
                .thenComparing(RegistrationCleanup::instanceId));
        return list;
    }

    /** Tries every pending cleanup of this node again; returns the outcomes. */
    public List<RegistrationCleanup> retryPendingCleanups() {
        List<RegistrationCleanup> outcomes = new ArrayList<>();
        for (RegistrationCleanup c : pendingCleanups()) {
            try {
                outcomes.add(retryCleanup(c.registrationId(), c.instanceId()));
            } catch (InvalidRequestException e) {
                // transferred back meanwhile: the registration there is the live one
                LOG.info("Dropped the pending cleanup of {} on {}: {}", c.registrationId(), c.instanceId(),
                        e.getMessage());
            }
        }
        return outcomes;
    }

    /** The owners some configured instance serves, sorted. */
    public Set<String> owners() {
        Set<String> owners = new TreeSet<>();
        for (DpsInstance i : fleet.current().instances()) {
            i.tenantPool().ifPresent(owners::add);
        }
        return owners;
    }

    /** Bulk transfers allowed per minute. */
    public int transfersPerMinute() {
        return transfersPerMinute;
    }

    /** The store this service records into; its {@link InventoryStore#ownership()} is the ownership registry. */
    public InventoryStore store() {
        return store;
    }

    private TransferResult transferChecked(String id, String newOwner, String actor, Pacer pacer)
            throws InterruptedException {
        boolean paced = false;
        long lastVersion = -1;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<DeviceAssignment> before = store.findAssignment(id);
            Ownership current = registry.find(id).orElseThrow(() -> new OwnershipNotFoundException(id));
            lastVersion = current.version();
            if (current.owner().equals(newOwner)) {
                return TransferResult.alreadyOwned(id, newOwner, current.activeInstanceId(),
                        completeInterrupted(id, current, before));
            }
            if (!paced) {
                pacer.await();
                paced = true;
                attempt--;
                continue; // the wait may have been long: read again
            }
            Optional<String> from = current.activeInstanceId().or(() -> before.map(DeviceAssignment::instanceId));
            // A device never placed has nothing to move: its first provisioning will choose among the new owner's.
            Optional<String> target = from.isEmpty() ? Optional.empty()
                    : Optional.of(choose(id, newOwner, before, Set.of(), fleet.current()));
            try {
                registry.transfer(new TransferRequest(id, current.version(), newOwner, target, actor));
            } catch (ConcurrentUpdateException e) {
                continue; // transferred or changed meanwhile: look again
            }
            LOG.info("Device {} transferred from {} to {} by {}", id, current.owner(), newOwner, actor);
            if (target.isEmpty()) {
                return new TransferResult(id, TransferResult.Status.TRANSFERRED, Optional.of(current.owner()),
                        newOwner, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
            }
            Placement placed;
            try {
                placed = follow(id, StateRule.MARK_PENDING);
            } catch (RuntimeException e) {
                // The transfer is recorded and stands; only the inventory lags. The device's next allocation, or
                // this transfer repeated, moves it.
                LOG.warn("Device {} is transferred to {}, but its assignment could not be moved yet: {}", id,
                        newOwner, e.getMessage());
                return new TransferResult(id, TransferResult.Status.TRANSFERRED, Optional.of(current.owner()),
                        newOwner, from, target, Optional.empty(), Optional.of("the assignment is not moved yet ("
                        + e.getMessage() + "); repeat the transfer to complete it"));
            }
            // A concurrent transfer may have sent the device on already; report this transfer's own target then.
            String to = placed.ownership().owner().equals(newOwner) ? placed.assignment().instanceId()
                    : target.get();
            Optional<RegistrationCleanup> cleanup = from.flatMap(f -> cleanUpIfLeft(id, f));
            return new TransferResult(id, TransferResult.Status.TRANSFERRED, Optional.of(current.owner()), newOwner,
                    from, Optional.of(to), cleanup, Optional.empty());
        }
        throw ConcurrentUpdateException.ofOwnership(id, lastVersion);
    }

    /**
     * A transfer recorded in the registry whose assignment move was interrupted: move it now, and delete the
     * registration it left.
     */
    private Optional<RegistrationCleanup> completeInterrupted(String id, Ownership current,
            Optional<DeviceAssignment> before) {
        if (current.activeInstanceId().isEmpty() || before.isEmpty()) {
            return Optional.empty();
        }
        DeviceAssignment a = before.get();
        if (a.instanceId().equals(current.activeInstanceId().get())
                && a.tenant().equals(Optional.of(current.owner()))) {
            return Optional.empty();
        }
        LOG.info("Completing the interrupted transfer of device {} to {}", id, current.owner());
        Placement placed = follow(id, StateRule.MARK_PENDING);
        return placed.movedFrom().flatMap(from -> cleanUpIfLeft(id, from));
    }

    /**
     * Brings the inventory in line with the registry: the device assigned to its owner's active instance, with the
     * owner as tenant, choosing (and recording) an instance when there is none or the recorded one refuses.
     */
    private Placement follow(String id, StateRule rule) {
        Set<String> refused = new HashSet<>();
        long lastVersion = -1;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            // Inventory before registry: a transfer writes the registry first, so an assignment seen already moved is
            // never paired here with the owner it was moved away from (which would move it back).
            Optional<DeviceAssignment> current = store.findAssignment(id);
            Ownership own = registry.find(id).orElseThrow(() -> new OwnershipNotFoundException(id));
            lastVersion = own.version();
            String owner = own.owner();
            FleetSnapshot.View view = fleet.current();
            Optional<String> target = own.activeInstanceId()
                    .filter(i -> !refused.contains(i) && serves(view, i, owner));
            try {
                if (target.isEmpty()) {
                    // Adopt a placement the inventory already has on one of the owner's instances; else choose.
                    String chosen = current.map(DeviceAssignment::instanceId)
                            .filter(i -> !refused.contains(i) && serves(view, i, owner))
                            .orElseGet(() -> choose(id, owner, current, refused, view));
                    registry.update(own.withActiveInstance(chosen));
                    continue;
                }
                String instanceId = target.get();
                if (current.isPresent() && current.get().instanceId().equals(instanceId)) {
                    return new Placement(own, settle(current.get(), owner, rule), false, Optional.empty());
                }
                AssignOutcome outcome = current.isPresent()
                        ? store.move(id, current.get().version(), instanceId)
                        : store.assign(new NewAssignment(id, instanceId, Optional.of(owner)));
                if (outcome instanceof AssignOutcome.Created created) {
                    return new Placement(own, settle(created.assignment(), owner, rule), current.isEmpty(),
                            current.map(DeviceAssignment::instanceId));
                }
                if (outcome instanceof AssignOutcome.Refused refusal) {
                    LOG.debug("{} refused device {}: {}", instanceId, id, refusal.reason());
                    refused.add(instanceId);
                    fleet.invalidate();
                    registry.update(own.withActiveInstance(choose(id, owner, current, refused, fleet.current())));
                }
                // Existing: another request placed the device meanwhile; look again.
            } catch (ConcurrentUpdateException e) {
                // Someone else changed the registry record or the assignment first; look again.
            }
        }
        throw ConcurrentUpdateException.ofOwnership(id, lastVersion);
    }

    private DeviceAssignment settle(DeviceAssignment a, String owner, StateRule rule) {
        AssignmentState state = switch (rule) {
            case CLEAR_PENDING -> a.state() == AssignmentState.REPROVISION_PENDING ? AssignmentState.ASSIGNED
                    : a.state();
            case MARK_PENDING -> AssignmentState.REPROVISION_PENDING;
        };
        if (a.tenant().equals(Optional.of(owner)) && a.state() == state) {
            return a;
        }
        return store.update(a.withTenant(owner).withState(state));
    }

    /** One of the owner's instances for the device, by the strategy; never one in {@code refused}. */
    private String choose(String id, String owner, Optional<DeviceAssignment> current, Set<String> refused,
            FleetSnapshot.View view) {
        List<Candidate> candidates = new ArrayList<>();
        Map<String, String> excluded = new LinkedHashMap<>();
        for (DpsInstance i : view.instances()) {
            if (!i.tenantPool().equals(Optional.of(owner))) {
                continue;
            }
            if (refused.contains(i.id())) {
                excluded.put(i.id(), "refused the device just now (full or not active)");
                continue;
            }
            // Devices register with the target DPS themselves, paced by the factory DPS: no admission budget here.
            candidates.add(new Candidate(i.id(), i.region(), i.tenantPool(), i.tags(), i.weight(), i.state(),
                    i.capacity(), view.counts().getOrDefault(i.id(), 0L), i.registrationsPerMinute()));
        }
        if (candidates.isEmpty()) {
            throw new AllocationRejectedException(id, excluded.isEmpty()
                    ? "No DPS instance serves owner '" + owner + "' of device '" + id + "'"
                    : "No DPS instance of owner '" + owner + "' can take device '" + id + "'", excluded);
        }
        AllocationRequest.Builder request = AllocationRequest.builder(id).tenant(owner);
        current.ifPresent(c -> request.reprovisionFrom(c.instanceId()));
        AllocationDecision decision = strategy.allocate(request.build(), candidates);
        if (decision instanceof AllocationDecision.Reject reject) {
            Map<String, String> all = new LinkedHashMap<>(excluded);
            all.putAll(reject.exclusions());
            throw new AllocationRejectedException(id, "No DPS instance of owner '" + owner + "' can take device '"
                    + id + "': " + reject.describe(), all);
        }
        if (decision instanceof AllocationDecision.Defer defer) {
            throw new DpsUnavailableException("The DPS instances of owner '" + owner + "' cannot take device '" + id
                    + "' now: " + defer.reason(), id, null, defer.retryAfter(), null);
        }
        String chosen = ((AllocationDecision.Assign) decision).candidateId();
        if (candidates.stream().noneMatch(c -> c.id().equals(chosen))) {
            throw new IllegalStateException("Strategy " + strategy + " chose '" + chosen
                    + "', which was not among its candidates");
        }
        return chosen;
    }

    /** Deletes the registration on {@code instanceId} unless the device belongs there (again) by now. */
    private Optional<RegistrationCleanup> cleanUpIfLeft(String id, String instanceId) {
        Optional<String> active = registry.find(id).flatMap(Ownership::activeInstanceId);
        if (active.isPresent() && active.get().equals(instanceId)) {
            return Optional.empty();
        }
        return Optional.of(cleanUp(id, instanceId));
    }

    private RegistrationCleanup cleanUp(String id, String instanceId) {
        String key = cleanupKey(id, instanceId);
        DpsCredentials c = credentials.get(instanceId);
        if (c == null || c.serviceConnectionString().isEmpty()) {
            pendingCleanups.remove(key);
            return new RegistrationCleanup(id, instanceId, RegistrationCleanup.Status.NOT_CONFIGURED,
                    Optional.of("no service credentials are configured for DPS instance '" + instanceId + "'"));
        }
        try {
            boolean deleted = dpsRetry.execute(() -> enrollments.deleteRegistrationState(c, id));
            pendingCleanups.remove(key);
            LOG.info("Deleted the registration of device {} on DPS instance {} it left", id, instanceId);
            return new RegistrationCleanup(id, instanceId, deleted ? RegistrationCleanup.Status.DELETED
                    : RegistrationCleanup.Status.NOT_FOUND, Optional.empty());
        } catch (RuntimeException e) {
            LOG.warn("Could not delete the registration of device {} on DPS instance {} it left; the transfer "
                    + "stands, the cleanup is pending: {}", id, instanceId, e.getMessage());
            RegistrationCleanup pending = new RegistrationCleanup(id, instanceId, RegistrationCleanup.Status.PENDING,
                    Optional.of(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            pendingCleanups.put(key, pending);
            return pending;
        }
    }

    private static String cleanupKey(String id, String instanceId) {
        return id + '\n' + instanceId;
    }

    private void checkOwnerAndActor(String newOwner, String actor) {
        OwnerIds.check(newOwner);
        if (actor == null || actor.isBlank() || actor.length() > MAX_ACTOR_LENGTH
                || actor.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRequestException("invalid-actor", "The actor recorded with a transfer must be 1 to "
                    + MAX_ACTOR_LENGTH + " printable characters");
        }
        if (!owners().contains(newOwner)) {
            throw new InvalidRequestException("unknown-owner", "No DPS instance serves owner '" + newOwner
                    + "'; configure one with tenantPool(\"" + newOwner + "\") before transferring devices to it");
        }
    }

    private static boolean serves(FleetSnapshot.View view, String instanceId, String owner) {
        for (DpsInstance i : view.instances()) {
            if (i.id().equals(instanceId)) {
                return i.tenantPool().equals(Optional.of(owner));
            }
        }
        return false;
    }

    private void awaitTransferBudget() throws InterruptedException {
        while (true) {
            long now = nanos(clock.instant());
            if (transferBudget.tryAcquire(now)) {
                return;
            }
            sleeper.sleep(Duration.ofNanos(Math.max(1, transferBudget.nanosUntilAvailable(now))));
        }
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    private static int stableHash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return ((d[0] & 0xff) << 24) | ((d[1] & 0xff) << 16) | ((d[2] & 0xff) << 8) | (d[3] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @FunctionalInterface
    private interface Pacer {
        void await() throws InterruptedException;
    }

    /**
     * Configures a {@link RedirectProvisioning}. At least one target instance is required (configured here or known to
     * the store), each serving one owner ({@link DpsInstance.Builder#tenantPool}); everything else has a default.
     */
    public static final class Builder {
        private final Map<String, DpsInstance> instances = new LinkedHashMap<>();
        private final Map<String, DpsCredentials> credentials = new LinkedHashMap<>();
        private InventoryStore store;
        private OwnershipRegistry registry;
        private AllocationStrategy strategy = Allocators.tenantPool().then(Allocators.leastUtilised());
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.systemTicker();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Duration snapshotInterval = Duration.ofMillis(500);
        private DpsEnrollmentGateway enrollments;
        private Consumer<RetryPolicy.Builder> retryCustomiser = r -> { };
        private String unknownDeviceOwner;
        private String preferredStagingHub;
        private int transfersPerMinute = DEFAULT_TRANSFERS_PER_MINUTE;

        private Builder() {
        }

        /**
         * A target DPS instance; registered in the store at build time. Its {@code tenantPool} names the owner it
         * serves. Without credentials, devices leaving it keep their registration there.
         */
        public Builder instance(DpsInstance instance) {
            Objects.requireNonNull(instance, "instance");
            if (instance.tenantPool().isEmpty()) {
                throw new IllegalArgumentException("DPS instance '" + instance.id() + "' serves no owner: a redirect "
                        + "target needs tenantPool(<owner>)");
            }
            checkOwner(instance.tenantPool().get(), "the tenant pool of DPS instance '" + instance.id() + "'");
            if (instances.putIfAbsent(instance.id(), instance) != null) {
                throw new IllegalArgumentException("DPS instance '" + instance.id() + "' is configured twice");
            }
            return this;
        }

        /**
         * A target DPS instance with the credentials to delete a device's registration there when it is
         * transferred away ({@link DpsCredentials.Builder#serviceConnectionString} is what is used).
         */
        public Builder instance(DpsInstance instance, DpsCredentials credentials) {
            Objects.requireNonNull(credentials, "credentials");
            Objects.requireNonNull(instance, "instance");
            if (!instance.id().equals(credentials.instanceId())) {
                throw new IllegalArgumentException("the credentials for DPS instance '" + instance.id()
                        + "' are made for instance '" + credentials.instanceId() + "'");
            }
            instance(instance);
            this.credentials.put(instance.id(), credentials);
            return this;
        }

        /**
         * Where assignments and the ownership registry ({@link InventoryStore#ownership()}) are kept; an
         * {@link InMemoryInventoryStore} on this builder's clock by default.
         */
        public Builder store(InventoryStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * How one of an owner's instances is chosen; the candidates are always that owner's instances only. By
         * default the least-utilised one.
         */
        public Builder strategy(AllocationStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /** Wall-clock time for the transfer budget and retries (and the default store's records). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Monotonic time for the fleet snapshot (a {@code VirtualClock} in simulations). */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** What waits for the transfer budget and between DPS retries; a {@code VirtualClock} in tests. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** How old the instance counts used for balancing may be; 500 ms by default. */
        public Builder snapshotInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("snapshot interval must not be negative");
            }
            this.snapshotInterval = interval;
            return this;
        }

        /** How registrations are deleted on DPS; {@link AzureSdkEnrollmentGateway#create()} by default. */
        public Builder enrollmentGateway(DpsEnrollmentGateway gateway) {
            this.enrollments = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /**
         * Adjusts the retry policy for deleting old registrations. Defaults: transient {@link DpsCallException}s
         * retried, up to 3 attempts within 15 s, backoff from 500 ms to 5 s; time from the builder's clock and
         * sleeper.
         */
        public Builder dpsRetry(Consumer<RetryPolicy.Builder> customiser) {
            this.retryCustomiser = Objects.requireNonNull(customiser, "customiser");
            return this;
        }

        /** Bulk transfers per minute; default {@value #DEFAULT_TRANSFERS_PER_MINUTE}, 1 to 60,000. */
        public Builder transfersPerMinute(int perMinute) {
            if (perMinute < 1 || perMinute > 60_000) {
                throw new IllegalArgumentException("transfersPerMinute must be 1 to 60,000, was " + perMinute);
            }
            this.transfersPerMinute = perMinute;
            return this;
        }

        /**
         * Devices the factory DPS knows but the ownership registry does not are registered to {@code owner} (often
         * the vendor itself) on their first allocation. By default they are refused, and the factory DPS fails their
         * registration.
         */
        public Builder unknownDevicesOwnedBy(String owner) {
            this.unknownDeviceOwner = checkOwner(owner, "the owner of unknown devices");
            return this;
        }

        private static String checkOwner(String owner, String what) {
            try {
                return OwnerIds.check(owner);
            } catch (InvalidRequestException e) {
                throw new IllegalArgumentException(what + ": " + e.getMessage());
            }
        }

        /**
         * The staging hub to assign at the factory DPS when it is among the linked hubs; otherwise the device's
         * current hub or a stable hash of its registration id chooses one.
         */
        public Builder preferredStagingHub(String hostName) {
            Objects.requireNonNull(hostName, "hostName");
            if (hostName.isBlank() || hostName.contains("/")) {
                throw new IllegalArgumentException("the preferred staging hub must be a host name, was '" + hostName
                        + "'");
            }
            this.preferredStagingHub = hostName;
            return this;
        }

        public RedirectProvisioning build() {
            if (store == null) {
                store = new InMemoryInventoryStore(clock);
            }
            try {
                registry = store.ownership();
            } catch (UnsupportedOperationException e) {
                throw new IllegalStateException("the redirect pattern needs an ownership registry: " + e.getMessage());
            }
            Set<String> owners = new TreeSet<>();
            instances.values().forEach(i -> owners.add(i.tenantPool().orElseThrow()));
            store.instances().forEach(i -> i.tenantPool().ifPresent(owners::add));
            if (owners.isEmpty()) {
                throw new IllegalStateException("no DPS instance serving an owner is configured, and the store knows "
                        + "none; configure target instances with tenantPool(<owner>)");
            }
            if (unknownDeviceOwner != null && !owners.contains(unknownDeviceOwner)) {
                throw new IllegalStateException("unknown devices are to be owned by '" + unknownDeviceOwner
                        + "', but no DPS instance serves that owner");
            }
            return new RedirectProvisioning(this);
        }
    }
}
