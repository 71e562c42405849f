package io.multiscope.core;

import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.attestation.Attestation;
import io.multiscope.core.internal.AssignmentCache;
import io.multiscope.core.internal.FleetSnapshot;
import io.multiscope.core.internal.RequestRules;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.spi.AllocationDecision;
import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.AllocationStrategy;
import io.multiscope.spi.Candidate;
import io.multiscope.spi.InstanceState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pattern 1 of the architecture: zero-touch provisioning with a provisioning API. A device proves who it is and asks
 * where to provision; the service answers with one DPS instance's endpoint and ID scope, and the device registers
 * with that DPS itself.
 *
 * <p>Per request: validate the registration id → authenticate → a known device gets its assignment back (sticky,
 * from a cache in front of the store) → otherwise the strategy picks among the instances with rate headroom → the
 * store records the assignment and counts it in one conditional write. Concurrent and repeated requests for one
 * device give one assignment and one count. When every eligible instance is at its rate limit the device is told to
 * come back later, at a jittered time, instead of being sent into DPS throttling.
 *
 * <p>Thread-safe; all shared state lives in the {@link InventoryStore}, so several nodes may serve the same fleet.
 */
public final class ZeroTouchProvisioning {

    private static final Logger LOG = LoggerFactory.getLogger(ZeroTouchProvisioning.class);
    /** How often a request may re-run the strategy after an instance refused it (full, drained meanwhile). */
    private static final int MAX_PLACEMENT_ATTEMPTS = 4;

    private final InventoryStore store;
    private final AllocationStrategy strategy;
    private final Attestation attestation;
    private final AdmissionControl admission;
    private final AssignmentCache cache;
    private final FleetSnapshot fleet;
    private final RequestRules rules;
    private final LongAdder newAssignments = new LongAdder();
    private final LongAdder stickyHits = new LongAdder();
    private final LongAdder deferrals = new LongAdder();
    private final LongAdder rejections = new LongAdder();

    private ZeroTouchProvisioning(Builder b) {
        this.store = b.store;
        this.strategy = b.strategy;
        this.attestation = b.attestation;
        this.admission = b.admissionOrDefault();
        this.cache = new AssignmentCache(store, b.cacheSize, b.cacheTtl, b.ticker);
        for (DpsInstance instance : b.instances.values()) {
            store.upsertInstance(instance);
        }
        for (DpsInstance instance : store.instances()) {
            admission.configure(instance);
        }
        this.fleet = new FleetSnapshot(store, b.ticker::read, b.snapshotInterval);
        this.rules = new RequestRules(fleet, b.tenants);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Answers a device that asks where to provision.
     *
     * @throws InvalidRequestException if the registration id breaks DPS rules, or the tenant or region is unknown
     * @throws io.multiscope.core.attestation.AttestationException if the device cannot prove it is that device
     * @throws AllocationRejectedException if no instance can take the device, naming why for each
     */
    public AssignmentResult requestAssignment(AssignmentRequest request) {
        Objects.requireNonNull(request, "request");
        RequestRules.Admitted admitted = rules.admit(request, attestation);
        Optional<DeviceAssignment> known = lookup(admitted.registrationId());
        if (known.isPresent()) {
            stickyHits.increment();
            return new AssignmentResult.Assigned(known.get(), false);
        }
        return place(admitted.allocation().build(), null);
    }

    /**
     * Places a device an installer claimed (pattern 4), for the device's owner. The claim is the authentication: only
     * a {@link io.multiscope.core.claims.ClaimService} makes grants, after checking the installer's token and the
     * device's claim code, so this path needs no device credential and opens none. Otherwise as
     * {@link #requestAssignment}: a placed device keeps its assignment; a new one is placed by the strategy, with the
     * owner as its tenant.
     *
     * @throws AllocationRejectedException if no instance can take the device
     */
    public AssignmentResult assignClaimed(io.multiscope.core.claims.ClaimGrant grant) {
        Objects.requireNonNull(grant, "grant");
        Optional<DeviceAssignment> known = lookup(grant.registrationId());
        if (known.isPresent()) {
            stickyHits.increment();
            return new AssignmentResult.Assigned(known.get(), false);
        }
        return place(AllocationRequest.builder(grant.registrationId()).tenant(grant.owner()).build(), null);
    }

    /**
     * The device's assignment, answered from the cache when possible: the cheap "query status first" call.
     *
     * @param registrationId as the device sent it (case does not matter)
     */
    public Optional<DeviceAssignment> lookup(String registrationId) {
        String id = RegistrationIds.normalise(registrationId);
        return cache.find(id);
    }

    /** Authenticates the device, then returns its assignment if it has one. */
    public Optional<DeviceAssignment> lookup(io.multiscope.core.attestation.AttestationRequest credentials) {
        String id = RegistrationIds.normalise(credentials.registrationId());
        attestation.verify(credentials);
        return lookup(id);
    }

    /**
     * Places an authenticated device again. The strategy may keep it where it is or move it; a move frees the old
     * instance's count and takes one on the new instance in one step.
     */
    public AssignmentResult reprovision(AssignmentRequest request) {
        Objects.requireNonNull(request, "request");
        RequestRules.Admitted admitted = rules.admit(request, attestation);
        Optional<DeviceAssignment> current = store.findAssignment(admitted.registrationId());
        AllocationRequest.Builder allocation = admitted.allocation();
        current.ifPresent(c -> allocation.reprovisionFrom(c.instanceId()));
        return place(allocation.build(), current.orElse(null));
    }

    /**
     * Removes a device's assignment and frees its count (admin). Returns false if it had none.
     */
    public boolean deprovision(String registrationId) {
        String id = RegistrationIds.normalise(registrationId);
        for (int attempt = 0; ; attempt++) {
            Optional<DeviceAssignment> current = store.findAssignment(id);
            if (current.isEmpty()) {
                cache.invalidate(id);
                return false;
            }
            try {
                boolean removed = store.release(id, current.get().version());
                cache.invalidate(id);
                return removed;
            } catch (ConcurrentUpdateException e) {
                if (attempt >= MAX_PLACEMENT_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Stops placing new devices on an instance; its devices stay where they are. */
    public DpsInstance drain(String instanceId) {
        DpsInstance drained = store.setInstanceState(instanceId, InstanceState.DRAINING);
        fleet.invalidate();
        LOG.info("DPS instance {} is draining: no new devices", instanceId);
        return drained;
    }

    /** Adds an instance, or changes one's configuration (state, capacity, quota, ...). */
    public void configureInstance(DpsInstance instance) {
        store.upsertInstance(instance);
        admission.configure(instance);
        fleet.invalidate();
    }

    /** Every instance with its current load. */
    public List<InstanceStatus> instances() {
        Map<String, Long> counts = store.assignedCounts();
        List<InstanceStatus> list = new ArrayList<>();
        for (DpsInstance i : store.instances()) {
            list.add(new InstanceStatus(i, counts.getOrDefault(i.id(), 0L), admission.headroom(i.id())));
        }
        return list;
    }

    public ProvisioningStats stats() {
        return new ProvisioningStats(newAssignments.sum(), stickyHits.sum(), cache.hits(), deferrals.sum(),
                rejections.sum());
    }

    /** The store this service records into. */
    public InventoryStore store() {
        return store;
    }

    private AssignmentResult place(AllocationRequest allocation, DeviceAssignment current) {
        String id = allocation.registrationId();
        Set<String> refused = new HashSet<>();
        for (int attempt = 0; attempt < MAX_PLACEMENT_ATTEMPTS; attempt++) {
            FleetSnapshot.View view = fleet.current();
            List<Candidate> candidates = candidates(view, refused);
            AllocationDecision decision = strategy.allocate(allocation, candidates);
            if (decision instanceof AllocationDecision.Reject reject) {
                rejections.increment();
                throw new AllocationRejectedException(id, "No DPS instance can take device '" + id + "': "
                        + reject.describe(), reject.exclusions());
            }
            if (decision instanceof AllocationDecision.Defer defer) {
                return defer(id, candidates, defer.reason());
            }
            String chosen = ((AllocationDecision.Assign) decision).candidateId();
            if (candidates.stream().noneMatch(c -> c.id().equals(chosen))) {
                throw new IllegalStateException("Strategy " + strategy + " chose '" + chosen
                        + "', which was not among its candidates");
            }
            if (current != null && current.instanceId().equals(chosen)) {
                return new AssignmentResult.Assigned(keep(current), false);
            }
            if (!admission.tryAcquire(chosen)) {
                // Another request took the last token since the snapshot; let the strategy look again.
                refused.add(chosen);
                continue;
            }
            AssignOutcome outcome = current == null
                    ? store.assign(new NewAssignment(id, chosen, allocation.tenant()))
                    : store.move(id, current.version(), chosen);
            if (outcome instanceof AssignOutcome.Created created) {
                newAssignments.increment();
                cache.put(created.assignment());
                return new AssignmentResult.Assigned(created.assignment(), true);
            }
            if (outcome instanceof AssignOutcome.Existing existing) {
                stickyHits.increment();
                cache.put(existing.assignment());
                return new AssignmentResult.Assigned(existing.assignment(), false);
            }
            AssignOutcome.Refused refusal = (AssignOutcome.Refused) outcome;
            LOG.debug("{} refused device {}: {}", refusal.instanceId(), id, refusal.reason());
            refused.add(chosen);
            fleet.invalidate();
        }
        return defer(id, candidates(fleet.current(), Set.of()), "instances kept refusing while being chosen");
    }

    private DeviceAssignment keep(DeviceAssignment current) {
        if (current.state() != AssignmentState.REPROVISION_PENDING) {
            return current;
        }
        DeviceAssignment updated = store.update(current.withState(AssignmentState.ASSIGNED));
        cache.put(updated);
        return updated;
    }

    private AssignmentResult defer(String registrationId, List<Candidate> candidates, String reason) {
        deferrals.increment();
        return new AssignmentResult.Deferred(registrationId, admission.deferral(RequestRules.eligible(candidates)),
                reason);
    }

    private List<Candidate> candidates(FleetSnapshot.View view, Set<String> refused) {
        // An instance that refused this request in this round offers it no headroom for the next look.
        return RequestRules.candidates(view, id -> refused.contains(id) ? 0 : admission.headroom(id));
    }

    /** Configures a {@link ZeroTouchProvisioning}; only the attestation is required. */
    public static final class Builder extends ProvisioningServiceBuilder<Builder> {
        private final Map<String, DpsInstance> instances = new LinkedHashMap<>();

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /** A DPS instance to place devices on; registered in the store at build time. */
        public Builder instance(DpsInstance instance) {
            Objects.requireNonNull(instance, "instance");
            if (instances.putIfAbsent(instance.id(), instance) != null) {
                throw new IllegalArgumentException("DPS instance '" + instance.id() + "' is configured twice");
            }
            return this;
        }

        public ZeroTouchProvisioning build() {
            if (attestation == null) {
                throw new IllegalStateException("an attestation is required: how do devices prove who they are? "
                        + "e.g. SymmetricKeyAttestation.withGroupKey(...)");
            }
            if (store == null) {
                store = new InMemoryInventoryStore(clock);
            }
            if (instances.isEmpty() && store.instances().isEmpty()) {
                throw new IllegalStateException("no DPS instance is configured, and the store knows none");
            }
            return new ZeroTouchProvisioning(this);
        }
    }
}
