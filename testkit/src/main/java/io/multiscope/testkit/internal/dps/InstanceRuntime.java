package io.multiscope.testkit.internal.dps;

import io.multiscope.testkit.InstanceSettings;
import io.multiscope.testkit.LinkedHub;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/** Everything one emulated DPS instance holds in memory. Thread-safe. */
public final class InstanceRuntime {

    private static final int LOCK_STRIPES = 64;

    private final InstanceSettings settings;
    private final Clock clock;
    private volatile List<LinkedHub> linkedHubs;
    private final Map<String, X509Certificate> verifiedCas = new ConcurrentHashMap<>();
    private final VersionedStore<EnrollmentRecord> enrollments =
            new VersionedStore<>("individual enrollment", EnrollmentRecord::etag);
    private final VersionedStore<EnrollmentRecord> groups =
            new VersionedStore<>("enrollment group", EnrollmentRecord::etag);
    private final VersionedStore<RegistrationRecord> registrations =
            new VersionedStore<>("device registration", RegistrationRecord::etag);
    private final Map<String, PendingOperation> operations = new ConcurrentHashMap<>();
    private final Map<String, String> latestOperationByDevice = new ConcurrentHashMap<>();
    private final InstanceQuotas quotas;
    private final FaultPlan faults = new FaultPlan();
    private final InstanceCounters counters = new InstanceCounters();
    private final ReentrantLock[] deviceLocks = new ReentrantLock[LOCK_STRIPES];
    private volatile boolean up = true;

    public InstanceRuntime(InstanceSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.linkedHubs = settings.linkedHubs();
        this.quotas = new InstanceQuotas(settings, clock);
        for (int i = 0; i < LOCK_STRIPES; i++) {
            deviceLocks[i] = new ReentrantLock();
        }
    }

    public InstanceSettings settings() {
        return settings;
    }

    public Clock clock() {
        return clock;
    }

    public List<LinkedHub> linkedHubs() {
        return linkedHubs;
    }

    /** Links {@code hub}, or replaces the linked hub of the same name. */
    public synchronized void link(LinkedHub hub) {
        List<LinkedHub> next = new ArrayList<>(linkedHubs);
        next.removeIf(h -> h.hostName().equalsIgnoreCase(hub.hostName()));
        if (next.size() == 50) {
            throw new IllegalArgumentException("instance " + settings.name() + " already links 50 hubs, the DPS limit");
        }
        next.add(hub);
        linkedHubs = List.copyOf(next);
    }

    /** Unlinks the hub named {@code hostName}; false if it was not linked. */
    public synchronized boolean unlink(String hostName) {
        List<LinkedHub> next = new ArrayList<>(linkedHubs);
        boolean removed = next.removeIf(h -> h.hostName().equalsIgnoreCase(hostName));
        linkedHubs = List.copyOf(next);
        return removed;
    }

    public Optional<LinkedHub> linkedHub(String hostName) {
        return linkedHubs.stream().filter(h -> h.hostName().equalsIgnoreCase(hostName)).findFirst();
    }

    /** Registers a verified CA certificate that enrollment groups can name in {@code caReferences}. */
    public void addVerifiedCa(String name, X509Certificate certificate) {
        verifiedCas.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(certificate, "certificate"));
    }

    public Optional<X509Certificate> verifiedCa(String name) {
        return Optional.ofNullable(verifiedCas.get(name));
    }

    public VersionedStore<EnrollmentRecord> enrollments() {
        return enrollments;
    }

    public VersionedStore<EnrollmentRecord> groups() {
        return groups;
    }

    public VersionedStore<RegistrationRecord> registrations() {
        return registrations;
    }

    Map<String, PendingOperation> operations() {
        return operations;
    }

    /** Tracks {@code operation} as its device's latest, forgetting the device's previous one. */
    void track(PendingOperation operation) {
        operations.put(operation.operationId(), operation);
        String previous = latestOperationByDevice.put(operation.registrationKey(), operation.operationId());
        if (previous != null) {
            operations.remove(previous);
        }
    }

    public InstanceQuotas quotas() {
        return quotas;
    }

    public FaultPlan faults() {
        return faults;
    }

    public InstanceCounters counters() {
        return counters;
    }

    public boolean isUp() {
        return up;
    }

    public void setUp(boolean up) {
        this.up = up;
    }

    /** The lock serialising registrations of one device (striped, so memory stays bounded). */
    ReentrantLock deviceLock(String registrationKey) {
        return deviceLocks[Math.floorMod(registrationKey.hashCode(), LOCK_STRIPES)];
    }

    /** Forgets enrollments, registrations, operations, faults, counters and quota usage; links the configured hubs. */
    public synchronized void reset() {
        enrollments.clear();
        groups.clear();
        registrations.clear();
        operations.clear();
        latestOperationByDevice.clear();
        verifiedCas.clear();
        faults.clear();
        counters.reset();
        quotas.reset();
        linkedHubs = settings.linkedHubs();
        up = true;
    }
}
