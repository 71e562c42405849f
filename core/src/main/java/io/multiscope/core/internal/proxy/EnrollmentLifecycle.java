package io.multiscope.core.internal.proxy;

import io.multiscope.core.AssignmentState;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.DriftReport;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.dps.DpsEnrollmentGateway;
import io.multiscope.core.dps.GroupSetup;
import io.multiscope.core.retry.RetryPolicy;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.InventoryPage;
import io.multiscope.core.store.InventoryStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's enrollment lifecycle on each DPS instance, through the service API: keep the proxy's enrollment group
 * in place, deprovision a device on DPS and in the inventory, and compare the two (drift).
 */
public final class EnrollmentLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(EnrollmentLifecycle.class);
    private static final int MAX_RELEASE_ATTEMPTS = 4;
    private static final int PAGE = 1000;

    private final InventoryStore store;
    private final Map<String, DpsCredentials> credentials;
    private final Function<String, DpsCredentials> credentialsOf;
    private final DpsEnrollmentGateway enrollments;
    private final RetryPolicy retry;
    private final Consumer<String> forget;

    /**
     * @param credentialsOf the credentials of an instance, failing clearly if it has none
     * @param forget drops a device from the caches once its assignment is gone
     */
    public EnrollmentLifecycle(InventoryStore store, Map<String, DpsCredentials> credentials,
            Function<String, DpsCredentials> credentialsOf, DpsEnrollmentGateway enrollments, RetryPolicy retry,
            Consumer<String> forget) {
        this.store = store;
        this.credentials = credentials;
        this.credentialsOf = credentialsOf;
        this.enrollments = enrollments;
        this.retry = retry;
        this.forget = forget;
    }

    /** See {@code ProxyProvisioningService#ensureEnrollmentGroups()}. */
    public List<GroupSetup> ensureGroups() {
        List<GroupSetup> results = new ArrayList<>();
        for (DpsCredentials c : credentials.values()) {
            if (c.serviceConnectionString().isPresent()) {
                results.add(retry.execute(() -> enrollments.ensureGroup(c)));
            }
        }
        results.sort(Comparator.comparing(GroupSetup::instanceId));
        return results;
    }

    /** See {@code ProxyProvisioningService#deprovision(String)}; {@code registrationId} is normalised. */
    public boolean deprovision(String registrationId) {
        for (int attempt = 0; ; attempt++) {
            Optional<DeviceAssignment> current = store.findAssignment(registrationId);
            if (current.isEmpty()) {
                forget.accept(registrationId);
                return false;
            }
            DpsCredentials c = credentialsOf.apply(current.get().instanceId());
            retry.execute(() -> enrollments.deleteRegistrationState(c, registrationId));
            retry.execute(() -> enrollments.deleteIndividualEnrollment(c, registrationId));
            try {
                boolean removed = store.release(registrationId, current.get().version());
                forget.accept(registrationId);
                LOG.info("Deprovisioned device {} from DPS instance {}", registrationId, c.instanceId());
                return removed;
            } catch (ConcurrentUpdateException e) {
                if (attempt >= MAX_RELEASE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** See {@code ProxyProvisioningService#monitor()}. */
    public DriftReport monitor() {
        List<DriftReport.InstanceDrift> drifts = new ArrayList<>();
        List<String> unchecked = new ArrayList<>();
        for (DpsInstance instance : store.instances()) {
            DpsCredentials c = credentials.get(instance.id());
            if (c == null || c.serviceConnectionString().isEmpty()) {
                unchecked.add(instance.id());
                continue;
            }
            Set<String> onDps = retry.execute(() -> enrollments.registrationsInGroup(c));
            Set<String> placedHere = new HashSet<>();
            Set<String> registeredHere = new TreeSet<>();
            Optional<String> after = Optional.empty();
            do {
                InventoryPage page = store.assignmentsOn(instance.id(), after, PAGE);
                for (DeviceAssignment a : page.items()) {
                    placedHere.add(a.registrationId());
                    if (a.state() == AssignmentState.REGISTERED) {
                        registeredHere.add(a.registrationId());
                    }
                }
                after = page.next();
            } while (after.isPresent());
            List<String> unknown = new ArrayList<>();
            long unknownCount = collect(new TreeSet<>(onDps), id -> !placedHere.contains(id), unknown);
            List<String> missing = new ArrayList<>();
            long missingCount = collect(registeredHere, id -> !onDps.contains(id), missing);
            drifts.add(new DriftReport.InstanceDrift(instance.id(), c.enrollmentGroupId(), onDps.size(),
                    registeredHere.size(), unknownCount, unknown, missingCount, missing));
        }
        return new DriftReport(drifts, unchecked);
    }

    /** Counts the ids that match, listing the first {@link DriftReport#MAX_LISTED}. */
    private static long collect(Set<String> ids, java.util.function.Predicate<String> matches, List<String> listed) {
        long count = 0;
        for (String id : ids) {
            if (matches.test(id)) {
                count++;
                if (listed.size() < DriftReport.MAX_LISTED) {
                    listed.add(id);
                }
            }
        }
        return count;
    }
}
