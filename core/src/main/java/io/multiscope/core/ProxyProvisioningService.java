package io.multiscope.core;

import com.github.benmanes.caffeine.cache.Ticker;
import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.attestation.Attestation;
import io.multiscope.core.dps.AzureSdkDeviceGateway;
import io.multiscope.core.dps.AzureSdkEnrollmentGateway;
import io.multiscope.core.dps.DpsCallException;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.dps.DpsDeviceGateway;
import io.multiscope.core.dps.DpsEnrollmentGateway;
import io.multiscope.core.dps.DpsRegistration;
import io.multiscope.core.dps.GroupSetup;
import io.multiscope.core.internal.AssignmentCache;
import io.multiscope.core.internal.FleetSnapshot;
import io.multiscope.core.internal.RequestRules;
import io.multiscope.core.internal.proxy.CircuitBreakers;
import io.multiscope.core.internal.proxy.EnrollmentLifecycle;
import io.multiscope.core.internal.proxy.WaitQueue;
import io.multiscope.core.retry.RetryPolicy;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.store.UnknownInstanceException;
import io.multiscope.core.time.Scheduler;
import io.multiscope.core.time.Sleeper;
import io.multiscope.spi.AllocationDecision;
import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.AllocationStrategy;
import io.multiscope.spi.Candidate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pattern 2 of the architecture: the provisioning API as a DPS proxy. The device authenticates to the API only; the
 * API picks a DPS instance, registers the device with it through the real Azure device SDK using a key derived from
 * that instance's enrollment group key (which only the API holds), records instance, hub and device id, and returns
 * them. Retries, queueing and the hub cache live here, in one place, instead of in every device.
 *
 * <p>Per request: validate and authenticate (the same checks as {@link ZeroTouchProvisioning}) → a registered device
 * gets its hub back from the cache or the store, without DPS → otherwise admission control and the strategy choose
 * an instance with budget (a device already placed keeps its instance) → the store records the placement → the
 * registration runs on a bounded executor: DPS {@code 429}, {@code 5xx} and lost answers are retried with
 * {@link RetryPolicy}, a {@code 429} also cuts that instance's admission budget → the store records hub and device id.
 *
 * <p><b>Queueing.</b> When no eligible instance has budget, the request waits in a bounded queue for up to
 * {@link Builder#waitQueue maxWait}; a scheduled task hands out budget to waiting requests, oldest first, as it
 * refills. Waiting holds no thread. A request that finds the queue full, or waits too long, is deferred: {@code 429}
 * with a jittered {@code Retry-After} from the admission schedule.
 *
 * <p><b>Failing instances.</b> An instance whose registrations fail transiently {@code threshold} times in a row is
 * taken out of allocation (a circuit): new devices go elsewhere, while devices placed on it stay there and get a
 * {@link DpsUnavailableException} at once until a trial registration succeeds again.
 *
 * <p><b>Enrollment lifecycle</b> through the DPS service client: {@link #ensureEnrollmentGroups()},
 * {@link #deprovision(String)} and {@link #monitor()}.
 *
 * <p>Thread-safe. All shared state is in the {@link InventoryStore}; queues, circuits and caches are per node.
 * {@link #close()} stops the executor and completes queued requests with a deferral.
 */
public final class ProxyProvisioningService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyProvisioningService.class);
    private static final int MAX_PLACEMENT_ATTEMPTS = 4;
    private static final int MAX_RECORD_ATTEMPTS = 5;

    private final InventoryStore store;
    private final AllocationStrategy strategy;
    private final Attestation attestation;
    private final AdmissionControl admission;
    private final Map<String, DpsCredentials> credentials;
    private final DpsDeviceGateway devices;
    private final RetryPolicy dpsRetry;
    private final EnrollmentLifecycle lifecycle;
    private final Duration assumedRetryAfter;
    private final CircuitBreakers circuits;
    private final WaitQueue<Pending> waiting;
    private final Duration maxWait;
    private final AutoCloseable ownedScheduler;
    private final ThreadPoolExecutor executor;
    private final Clock clock;
    private final Ticker ticker;
    private final AssignmentCache cache;
    private final FleetSnapshot fleet;
    private final RequestRules rules;
    private volatile boolean closed;

    private final LongAdder registered = new LongAdder();
    private final LongAdder answeredFromInventory = new LongAdder();
    private final LongAdder queued = new LongAdder();
    private final LongAdder deferred = new LongAdder();
    private final LongAdder deferredQueueFull = new LongAdder();
    private final LongAdder dpsCalls = new LongAdder();
    private final LongAdder throttled = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder sdkNanos = new LongAdder();
    private final LongAdder endToEndNanos = new LongAdder();

    /** A request between acceptance and completion. */
    private static final class Pending {
        final String registrationId;
        final AllocationRequest allocation;
        final Optional<String> payloadJson;
        final Instant deadline;
        final long acceptedAtNanos;
        final CompletableFuture<RegistrationResult> future = new CompletableFuture<>();

        Pending(String registrationId, AllocationRequest allocation, Optional<String> payloadJson, Instant deadline,
                long acceptedAtNanos) {
            this.registrationId = registrationId;
            this.allocation = allocation;
            this.payloadJson = payloadJson;
            this.deadline = deadline;
            this.acceptedAtNanos = acceptedAtNanos;
        }
    }

    private ProxyProvisioningService(Builder b) {
        this.store = b.store;
        this.strategy = b.strategy;
        this.attestation = b.attestation;
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.admission = b.admissionOrDefault();
        this.credentials = Map.copyOf(b.credentials);
        this.devices = b.devices != null ? b.devices : AzureSdkDeviceGateway.create();
        this.assumedRetryAfter = b.assumedRetryAfter;
        RetryPolicy.Builder retry = RetryPolicy.builder()
                .retryIf(e -> e instanceof DpsCallException d && d.isTransient())
                .retryAfter(this::retryAfterOf)
                .maxAttempts(4)
                .baseDelay(Duration.ofMillis(500))
                .maxDelay(Duration.ofSeconds(10))
                .maxElapsed(Duration.ofSeconds(30))
                .clock(b.clock)
                .sleeper(b.sleeper);
        b.retryCustomiser.accept(retry);
        this.dpsRetry = retry.build();
        this.circuits = new CircuitBreakers(b.clock, b.circuitThreshold, b.circuitOpenFor);
        this.maxWait = b.maxWait;
        Scheduler scheduler = b.scheduler;
        if (scheduler == null) {
            Scheduler.SystemScheduler own = Scheduler.system("multiscope-proxy-queue");
            scheduler = own;
            this.ownedScheduler = own;
        } else {
            this.ownedScheduler = null;
        }
        this.waiting = new WaitQueue<>(b.waitCapacity, b.clock, scheduler, new QueueHandler());
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(b.threads, b.threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(b.executorQueue), r -> {
                    Thread t = new Thread(r, "multiscope-proxy-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.executor.allowCoreThreadTimeOut(true);
        this.cache = new AssignmentCache(store, b.cacheSize, b.cacheTtl, b.ticker);
        for (DpsInstance instance : b.instances.values()) {
            store.upsertInstance(instance);
        }
        for (DpsInstance instance : store.instances()) {
            admission.configure(instance);
        }
        this.fleet = new FleetSnapshot(store, b.ticker::read, b.snapshotInterval);
        this.rules = new RequestRules(fleet, b.tenants);
        this.lifecycle = new EnrollmentLifecycle(store, credentials, this::credentialsOf,
                b.enrollments != null ? b.enrollments : AzureSdkEnrollmentGateway.create(), dpsRetry,
                cache::invalidate);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Registers the device with DPS on its behalf, or answers from the inventory if it is already registered.
     * Validation and authentication happen before this returns (and throw); everything after completes the future.
     *
     * @return completes with {@link RegistrationResult.Registered} or {@link RegistrationResult.Deferred}, or
     *     exceptionally with {@link DpsUnavailableException} (transient; its instance is failing),
     *     {@link DpsRefusedException} (DPS refused for good), {@link AllocationRejectedException} (no instance can
     *     take the device) or a store failure
     * @throws InvalidRequestException if the registration id, attributes, tenant, region or payload break a rule
     * @throws io.multiscope.core.attestation.AttestationException if the device cannot prove it is that device
     */
    public CompletableFuture<RegistrationResult> register(RegistrationRequest request) {
        Objects.requireNonNull(request, "request");
        long accepted = ticker.read();
        RequestRules.Admitted admitted = rules.admit(request.assignment(), attestation);
        String id = admitted.registrationId();
        request.payloadJson().ifPresent(p -> checkPayload(p, id));
        return registerAdmitted(id, admitted.allocation().build(), request.payloadJson(), accepted);
    }

    /**
     * Registers a device an installer claimed (pattern 4) with DPS, for the device's owner. The claim is the
     * authentication: only a {@link io.multiscope.core.claims.ClaimService} makes grants, after checking the
     * installer's token and the device's claim code, so this path needs no device credential and opens none.
     * Otherwise as {@link #register}, without a payload.
     */
    public CompletableFuture<RegistrationResult> registerClaimed(io.multiscope.core.claims.ClaimGrant grant) {
        Objects.requireNonNull(grant, "grant");
        long accepted = ticker.read();
        return registerAdmitted(grant.registrationId(),
                AllocationRequest.builder(grant.registrationId()).tenant(grant.owner()).build(), Optional.empty(),
                accepted);
    }

    /** A request that passed validation and authentication: answered from the inventory, started, queued or deferred. */
    private CompletableFuture<RegistrationResult> registerAdmitted(String id, AllocationRequest allocation,
            Optional<String> payloadJson, long accepted) {
        Optional<DeviceAssignment> known = lookup(id);
        if (known.isPresent() && isRegistered(known.get())) {
            answeredFromInventory.increment();
            return CompletableFuture.completedFuture(new RegistrationResult.Registered(known.get(), Optional.empty(),
                    false));
        }
        if (closed) {
            throw new IllegalStateException("the proxy provisioning service is closed");
        }
        Pending p = new Pending(id, allocation, payloadJson, clock.instant().plus(maxWait), accepted);
        // Requests already waiting go first: a newcomer may only try directly when nobody is queued.
        if (waiting.isEmpty() && tryStart(p)) {
            return p.future;
        }
        if (maxWait.isZero() || !waiting.offer(p)) {
            deferredQueueFull.increment();
            complete(p, deferral(p, maxWait.isZero() ? "every eligible DPS instance is at its registration rate limit"
                    : "every eligible DPS instance is at its registration rate limit and the wait queue is full ("
                            + waiting.capacity() + " requests)"));
            return p.future;
        }
        queued.increment();
        return p.future;
    }

    /**
     * {@link #register} and wait for the outcome, with the failure unwrapped (a {@link DpsUnavailableException} is
     * thrown as itself, not inside a {@link CompletionException}).
     */
    public RegistrationResult registerAndWait(RegistrationRequest request) {
        try {
            return register(request).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** The device's assignment, from the hub cache when possible (the cheap "query status first" call). */
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
     * The IoT hub a registered device belongs to, answered from a cache in front of the store: what a service that
     * sends cloud-to-device messages needs, without asking DPS. Empty if the device is unknown or not registered yet.
     */
    public Optional<String> assignedHub(String registrationId) {
        return lookup(registrationId).flatMap(DeviceAssignment::assignedHub);
    }

    /**
     * Makes sure every instance with a service connection has the proxy's enrollment group: creates missing groups
     * with the configured keys and leaves existing ones untouched (reporting a key mismatch). Call at start-up, or on
     * demand after adding an instance. Instances without a service connection are skipped.
     *
     * @throws DpsCallException if DPS fails (after retries) for an instance; groups already handled stay as they are
     */
    public List<GroupSetup> ensureEnrollmentGroups() {
        return lifecycle.ensureGroups();
    }

    /**
     * Removes a device: deletes its registration state (and its individual enrollment, if one exists) on its DPS
     * instance, then its assignment, freeing its count. DPS first, so a failure leaves the inventory unchanged and the
     * call can simply be repeated.
     *
     * @return false if the device had no assignment
     * @throws DpsCallException if DPS fails after retries (nothing was changed in the inventory)
     */
    public boolean deprovision(String registrationId) {
        return lifecycle.deprovision(RegistrationIds.normalise(registrationId));
    }

    /**
     * Compares, per instance, the registrations DPS holds in the proxy's enrollment group with the devices the
     * inventory records there, and reports the differences. Reads every registration of the group and every
     * assignment of the instance, so run it from a maintenance job, not per request.
     */
    public DriftReport monitor() {
        return lifecycle.monitor();
    }

    /** Every instance with its current load and admission headroom. */
    public List<InstanceStatus> instances() {
        Map<String, Long> counts = store.assignedCounts();
        List<InstanceStatus> list = new ArrayList<>();
        for (DpsInstance i : store.instances()) {
            list.add(new InstanceStatus(i, counts.getOrDefault(i.id(), 0L), admission.headroom(i.id())));
        }
        return list;
    }

    /** Stops placing new devices on an instance; its devices stay where they are. */
    public DpsInstance drain(String instanceId) {
        DpsInstance drained = store.setInstanceState(instanceId, io.multiscope.spi.InstanceState.DRAINING);
        fleet.invalidate();
        LOG.info("DPS instance {} is draining: no new devices", instanceId);
        return drained;
    }

    /** Whether the instance's circuit is open (it gets no new devices until a trial registration succeeds). */
    public boolean isCircuitOpen(String instanceId) {
        return circuits.isOpen(instanceId);
    }

    /** Requests waiting for a DPS budget now. */
    public int queueLength() {
        return waiting.size();
    }

    public ProxyStats stats() {
        return new ProxyStats(registered.sum(), answeredFromInventory.sum(), cache.hits(), queued.sum(),
                deferred.sum(), deferredQueueFull.sum(), dpsCalls.sum(), throttled.sum(), failed.sum(),
                sdkNanos.sum(), endToEndNanos.sum());
    }

    /** The store this service records into. */
    public InventoryStore store() {
        return store;
    }

    /** The admission control that keeps each instance under its quota. */
    public AdmissionControl admission() {
        return admission;
    }

    /**
     * Stops taking requests, defers the queued ones, and lets running registrations finish (up to 30 s). Does not
     * close the store.
     */
    @Override
    public void close() {
        closed = true;
        waiting.close();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
        if (ownedScheduler != null) {
            try {
                ownedScheduler.close();
            } catch (Exception e) {
                LOG.debug("closing the queue scheduler", e);
            }
        }
    }

    // ---- placement ----

    /**
     * Tries to start the request's registration now: an instance with budget (the device's own, if it is placed) and
     * a free executor slot. Returns false if it has to wait for budget; true if it started or is finished (completed
     * with a result or a failure).
     */
    private boolean tryStart(Pending p) {
        try {
            Optional<DeviceAssignment> current = lookup(p.registrationId);
            if (current.isPresent()) {
                return startPlaced(p, current.get());
            }
            Set<String> refused = new HashSet<>();
            for (int attempt = 0; attempt < MAX_PLACEMENT_ATTEMPTS; attempt++) {
                List<Candidate> candidates = candidates(refused);
                AllocationDecision decision = strategy.allocate(p.allocation, candidates);
                if (decision instanceof AllocationDecision.Reject reject) {
                    failed.increment();
                    p.future.completeExceptionally(new AllocationRejectedException(p.registrationId,
                            "No DPS instance can take device '" + p.registrationId + "': " + reject.describe(),
                            reject.exclusions()));
                    return true;
                }
                if (decision instanceof AllocationDecision.Defer) {
                    return false;
                }
                String chosen = ((AllocationDecision.Assign) decision).candidateId();
                if (candidates.stream().noneMatch(c -> c.id().equals(chosen))) {
                    throw new IllegalStateException("Strategy " + strategy + " chose '" + chosen
                            + "', which was not among its candidates");
                }
                if (!circuits.tryAcquire(chosen)) {
                    refused.add(chosen);
                    continue;
                }
                if (!admission.tryAcquire(chosen)) {
                    circuits.release(chosen);
                    refused.add(chosen);
                    continue;
                }
                AssignOutcome outcome = store.assign(new NewAssignment(p.registrationId, chosen,
                        p.allocation.tenant()));
                if (outcome instanceof AssignOutcome.Created created) {
                    cache.put(created.assignment());
                    submit(p, created.assignment());
                    return true;
                }
                circuits.release(chosen);
                if (outcome instanceof AssignOutcome.Existing existing) {
                    // Another request placed this device meanwhile; carry on with its placement.
                    cache.put(existing.assignment());
                    return startPlaced(p, existing.assignment());
                }
                AssignOutcome.Refused refusal = (AssignOutcome.Refused) outcome;
                LOG.debug("{} refused device {}: {}", refusal.instanceId(), p.registrationId, refusal.reason());
                refused.add(chosen);
                fleet.invalidate();
            }
            return false;
        } catch (RuntimeException e) {
            failed.increment();
            p.future.completeExceptionally(e);
            return true;
        }
    }

    /** A device that already has an instance registers there, or nowhere: moving it is a reprovisioning decision. */
    private boolean startPlaced(Pending p, DeviceAssignment current) {
        if (isRegistered(current)) {
            answeredFromInventory.increment();
            complete(p, new RegistrationResult.Registered(current, Optional.empty(), false));
            return true;
        }
        String instance = current.instanceId();
        if (!circuits.tryAcquire(instance)) {
            failed.increment();
            Duration wait = circuits.remaining(instance).orElse(assumedRetryAfter);
            p.future.completeExceptionally(new DpsUnavailableException("DPS instance '" + instance + "' of device '"
                    + p.registrationId + "' is failing; its registrations are paused for " + wait.toSeconds()
                    + " s", p.registrationId, instance, atLeastOneSecond(wait), null));
            return true;
        }
        if (!admission.tryAcquire(instance)) {
            circuits.release(instance);
            return false;
        }
        submit(p, current);
        return true;
    }

    private List<Candidate> candidates(Set<String> refused) {
        return RequestRules.candidates(fleet.current(),
                id -> refused.contains(id) || !circuits.available(id) ? 0 : admission.headroom(id));
    }

    private void submit(Pending p, DeviceAssignment placed) {
        try {
            executor.execute(() -> registerWithDps(p, placed));
        } catch (RejectedExecutionException e) {
            circuits.release(placed.instanceId());
            deferredQueueFull.increment();
            complete(p, deferral(p, "the proxy has " + executor.getQueue().size()
                    + " registrations in progress, its limit"));
        }
    }

    // ---- the DPS registration (on the executor) ----

    private void registerWithDps(Pending p, DeviceAssignment placed) {
        String instanceId = placed.instanceId();
        try {
            DpsInstance instance = store.findInstance(instanceId).orElseThrow(() ->
                    new UnknownInstanceException(instanceId));
            DpsCredentials c = credentialsOf(instanceId);
            DpsRegistration r = dpsRetry.execute(() -> callDps(instance, c, p));
            circuits.onSuccess(instanceId);
            DeviceAssignment recorded = record(placed, r);
            registered.increment();
            complete(p, new RegistrationResult.Registered(recorded, r.payloadJson(), true));
        } catch (DpsCallException e) {
            failed.increment();
            if (e.isTransient()) {
                boolean open = circuits.onFailure(instanceId);
                if (open) {
                    LOG.warn("DPS instance {} keeps failing ({}); no new devices go there until a trial succeeds",
                            instanceId, e.getMessage());
                    fleet.invalidate();
                }
                Duration wait = circuits.remaining(instanceId).or(() -> e.retryAfter()).orElse(assumedRetryAfter);
                p.future.completeExceptionally(new DpsUnavailableException("DPS instance '" + instanceId
                        + "' could not register device '" + p.registrationId + "': " + e.getMessage(),
                        p.registrationId, instanceId, atLeastOneSecond(wait), e));
            } else {
                circuits.release(instanceId);
                LOG.warn("DPS refused device {}: {}", p.registrationId, e.getMessage());
                p.future.completeExceptionally(new DpsRefusedException(e.getMessage(), p.registrationId, instanceId,
                        e.status(), e));
            }
        } catch (RuntimeException e) {
            circuits.release(instanceId);
            failed.increment();
            p.future.completeExceptionally(e);
        } finally {
            endToEndNanos.add(ticker.read() - p.acceptedAtNanos);
        }
    }

    /** One attempt; a throttled answer shrinks the instance's budget before the retry policy waits. */
    private DpsRegistration callDps(DpsInstance instance, DpsCredentials c, Pending p) {
        dpsCalls.increment();
        long start = ticker.read();
        try {
            return devices.register(instance, p.registrationId, c.deviceKey(p.registrationId), p.payloadJson);
        } catch (DpsCallException e) {
            if (e.isThrottled()) {
                throttled.increment();
                admission.onThrottled(instance.id(), Optional.of(retryAfterOf(e).orElse(assumedRetryAfter)));
            }
            throw e;
        } finally {
            sdkNanos.add(ticker.read() - start);
        }
    }

    /** The Retry-After DPS gave, or for a 429 without one (the device SDK hides the header) the assumed one. */
    private Optional<Duration> retryAfterOf(Throwable failure) {
        if (!(failure instanceof DpsCallException d)) {
            return Optional.empty();
        }
        return d.retryAfter().or(() -> d.isThrottled() ? Optional.of(assumedRetryAfter) : Optional.empty());
    }

    /** Records hub and device id; a concurrent change of the record is re-read and applied again. */
    private DeviceAssignment record(DeviceAssignment placed, DpsRegistration r) {
        DeviceAssignment current = placed;
        for (int attempt = 0; ; attempt++) {
            try {
                DeviceAssignment updated = store.update(current.registered(r.assignedHub(), r.deviceId()));
                cache.put(updated);
                return updated;
            } catch (ConcurrentUpdateException e) {
                if (attempt >= MAX_RECORD_ATTEMPTS) {
                    throw e;
                }
                current = store.findAssignment(placed.registrationId()).orElseThrow(() -> e);
                if (isRegistered(current) && current.assignedHub().get().equals(r.assignedHub())) {
                    cache.put(current);
                    return current;
                }
            }
        }
    }

    // ---- the wait queue ----

    /** How the wait queue starts, expires and times the proxy's waiting requests. */
    private final class QueueHandler implements WaitQueue.Handler<Pending> {

        @Override
        public boolean tryStart(Pending p) {
            return ProxyProvisioningService.this.tryStart(p);
        }

        @Override
        public void expire(Pending p) {
            complete(p, deferral(p, closed ? "the provisioning service is shutting down"
                    : "every eligible DPS instance stayed at its registration rate limit for " + maxWait.toMillis()
                            + " ms"));
        }

        @Override
        public Instant deadline(Pending p) {
            return p.deadline;
        }

        /** The soonest an instance may take a device: its next token, or the end of its open circuit. */
        @Override
        public Duration nextBudgetIn() {
            Duration soonest = Duration.ofDays(1);
            for (DpsInstance i : fleet.current().instances()) {
                Duration d = circuits.available(i.id()) ? admission.timeUntilAvailable(i.id())
                        : circuits.remaining(i.id()).orElse(Duration.ZERO);
                soonest = d.compareTo(soonest) < 0 ? d : soonest;
            }
            return soonest;
        }
    }

    private RegistrationResult.Deferred deferral(Pending p, String reason) {
        deferred.increment();
        List<Candidate> candidates = RequestRules.candidates(fleet.current(), id -> 0);
        List<String> eligible = RequestRules.eligible(candidates);
        if (eligible.isEmpty()) {
            eligible = candidates.stream().map(Candidate::id).toList();
        }
        Duration wait = eligible.isEmpty() ? assumedRetryAfter : admission.deferral(eligible);
        return new RegistrationResult.Deferred(p.registrationId, wait, reason);
    }

    private void complete(Pending p, RegistrationResult result) {
        p.future.complete(result);
    }

    // ---- helpers ----

    private DpsCredentials credentialsOf(String instanceId) {
        DpsCredentials c = credentials.get(instanceId);
        if (c == null) {
            throw new IllegalStateException("DPS instance '" + instanceId + "' has no credentials configured for "
                    + "the proxy (ProxyProvisioningService.Builder#instance(DpsInstance, DpsCredentials))");
        }
        return c;
    }

    private static boolean isRegistered(DeviceAssignment a) {
        return a.state() == AssignmentState.REGISTERED && a.assignedHub().isPresent() && a.deviceId().isPresent();
    }

    private static Duration atLeastOneSecond(Duration d) {
        return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
    }

    private static void checkPayload(String payload, String registrationId) {
        String trimmed = payload.strip();
        if (payload.length() > RegistrationRequest.MAX_PAYLOAD_LENGTH) {
            throw new InvalidRequestException("payload-too-large", "The payload of device '" + registrationId
                    + "' has " + payload.length() + " characters; at most " + RegistrationRequest.MAX_PAYLOAD_LENGTH
                    + " are allowed", registrationId);
        }
        if (!trimmed.startsWith("{") || !trimmed.endsWith("}")) {
            throw new InvalidRequestException("invalid-payload", "The payload of device '" + registrationId
                    + "' must be a JSON object", registrationId);
        }
    }

    /**
     * Configures a {@link ProxyProvisioningService}; the attestation and at least one instance with its credentials
     * are required, everything else has a default.
     */
    public static final class Builder extends ProvisioningServiceBuilder<Builder> {
        private final Map<String, DpsInstance> instances = new LinkedHashMap<>();
        private final Map<String, DpsCredentials> credentials = new LinkedHashMap<>();
        private DpsDeviceGateway devices;
        private DpsEnrollmentGateway enrollments;
        private Consumer<RetryPolicy.Builder> retryCustomiser = r -> { };
        private Duration assumedRetryAfter = Duration.ofSeconds(3);
        private int circuitThreshold = 5;
        private Duration circuitOpenFor = Duration.ofSeconds(30);
        private int waitCapacity = 1000;
        private Duration maxWait = Duration.ofSeconds(5);
        private Scheduler scheduler;
        private int threads = 8;
        private int executorQueue = 10_000;
        private Sleeper sleeper = Sleeper.SYSTEM;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /** A DPS instance to place devices on, with the enrollment group the proxy registers them through. */
        public Builder instance(DpsInstance instance, DpsCredentials credentials) {
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(credentials, "credentials");
            if (!instance.id().equals(credentials.instanceId())) {
                throw new IllegalArgumentException("the credentials for DPS instance '" + instance.id()
                        + "' are made for instance '" + credentials.instanceId() + "'");
            }
            if (instances.putIfAbsent(instance.id(), instance) != null) {
                throw new IllegalArgumentException("DPS instance '" + instance.id() + "' is configured twice");
            }
            this.credentials.put(instance.id(), credentials);
            return this;
        }

        /** How devices are registered with DPS; {@link AzureSdkDeviceGateway#create()} by default. */
        public Builder deviceGateway(DpsDeviceGateway gateway) {
            this.devices = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /** How enrollments are managed on DPS; {@link AzureSdkEnrollmentGateway#create()} by default. */
        public Builder enrollmentGateway(DpsEnrollmentGateway gateway) {
            this.enrollments = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /**
         * Adjusts the retry policy for DPS calls. Defaults: transient {@link DpsCallException}s retried, up to 4
         * attempts within 30 s, backoff from 500 ms to 10 s, DPS's Retry-After honoured; time from the builder's
         * clock and sleeper.
         */
        public Builder dpsRetry(Consumer<RetryPolicy.Builder> customiser) {
            this.retryCustomiser = Objects.requireNonNull(customiser, "customiser");
            return this;
        }

        /**
         * The wait assumed after a DPS {@code 429} that names none: the Azure device SDK does not expose the
         * {@code Retry-After} header. Used to pause the instance's budget and as the retry delay. Default 3 s;
         * 1 s to 10 min.
         */
        public Builder assumedRetryAfter(Duration wait) {
            Objects.requireNonNull(wait, "wait");
            if (wait.compareTo(Duration.ofSeconds(1)) < 0 || wait.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("assumedRetryAfter must be 1 s to 10 min, was " + wait);
            }
            this.assumedRetryAfter = wait;
            return this;
        }

        /**
         * After {@code failuresInARow} registrations on an instance failed transiently, it gets no new devices for
         * {@code openFor}, then one trial. Defaults: 5 and 30 s.
         */
        public Builder circuit(int failuresInARow, Duration openFor) {
            Objects.requireNonNull(openFor, "openFor");
            if (failuresInARow < 1) {
                throw new IllegalArgumentException("failuresInARow must be at least 1, was " + failuresInARow);
            }
            if (openFor.isNegative() || openFor.isZero() || openFor.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("openFor must be > 0 and at most one hour, was " + openFor);
            }
            this.circuitThreshold = failuresInARow;
            this.circuitOpenFor = openFor;
            return this;
        }

        /**
         * When no instance has budget, up to {@code capacity} requests wait up to {@code maxWait} for one, holding no
         * thread; beyond that they are deferred at once. Defaults: 1,000 and 5 s. A {@code maxWait} of zero disables
         * waiting.
         */
        public Builder waitQueue(int capacity, Duration maxWait) {
            Objects.requireNonNull(maxWait, "maxWait");
            if (capacity < 0 || capacity > 1_000_000) {
                throw new IllegalArgumentException("wait queue capacity must be 0 to 1,000,000, was " + capacity);
            }
            if (maxWait.isNegative() || maxWait.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("maxWait must be 0 to 5 minutes, was " + maxWait);
            }
            this.waitCapacity = capacity;
            this.maxWait = capacity == 0 ? Duration.ZERO : maxWait;
            return this;
        }

        /** Runs the queue's wake-ups; a thread of the service's own by default, a VirtualScheduler in tests. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * How many DPS registrations run at once (each also holds the SDK's own three short-lived threads while it
         * runs), and how many more may wait for a thread. Defaults: 8 and 10,000.
         */
        public Builder registrationThreads(int threads, int queueCapacity) {
            if (threads < 1 || threads > 1024) {
                throw new IllegalArgumentException("registration threads must be 1 to 1024, was " + threads);
            }
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be at least 1, was " + queueCapacity);
            }
            this.threads = threads;
            this.executorQueue = queueCapacity;
            return this;
        }

        /** What waits between DPS retries; a VirtualClock in tests. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        public ProxyProvisioningService build() {
            if (attestation == null) {
                throw new IllegalStateException("an attestation is required: how do devices prove who they are to "
                        + "the proxy? e.g. SymmetricKeyAttestation.withGroupKey(...) or HardwareIdAttestation");
            }
            if (instances.isEmpty()) {
                throw new IllegalStateException("no DPS instance is configured; the proxy needs at least one, with "
                        + "the credentials of its enrollment group");
            }
            if (store == null) {
                store = new InMemoryInventoryStore(clock);
            }
            for (DpsInstance known : store.instances()) {
                if (!credentials.containsKey(known.id())) {
                    throw new IllegalStateException("the store knows DPS instance '" + known.id()
                            + "' but the proxy has no credentials for it; configure it with instance(instance, "
                            + "credentials)");
                }
            }
            return new ProxyProvisioningService(this);
        }
    }
}
