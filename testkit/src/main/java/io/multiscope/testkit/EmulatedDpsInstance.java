package io.multiscope.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.multiscope.testkit.internal.dps.DpsError;
import io.multiscope.testkit.internal.dps.DpsJson;
import io.multiscope.testkit.internal.dps.EnrollmentAttestation;
import io.multiscope.testkit.internal.dps.EnrollmentCommands;
import io.multiscope.testkit.internal.dps.EnrollmentRecord;
import io.multiscope.testkit.internal.dps.FaultPlan;
import io.multiscope.testkit.internal.dps.InstanceRuntime;
import io.multiscope.testkit.internal.dps.RegistrationRecord;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One emulated DPS instance inside a running {@link DpsEmulator}: its identity and credentials, its enrollments and
 * registration states, fault injection, and request counters. Thread-safe.
 */
public final class EmulatedDpsInstance {

    private final InstanceRuntime runtime;
    private final String deviceEndpoint;

    EmulatedDpsInstance(InstanceRuntime runtime, String deviceEndpoint) {
        this.runtime = runtime;
        this.deviceEndpoint = deviceEndpoint;
    }

    public InstanceSettings settings() {
        return runtime.settings();
    }

    public String name() {
        return runtime.settings().name();
    }

    public String idScope() {
        return runtime.settings().idScope();
    }

    /** The global endpoint devices pass to the SDK, shared by all instances: {@code localhost:<port>}. */
    public String deviceEndpoint() {
        return deviceEndpoint;
    }

    /** The host name the service API answers to for this instance. */
    public String serviceHostName() {
        return runtime.settings().serviceHostName();
    }

    /**
     * A connection string for {@code ProvisioningServiceClient}. The service SDK always connects to port 443 of this
     * host name, so install {@link ServiceClientRouting} before using it.
     */
    public String serviceConnectionString() {
        InstanceSettings s = runtime.settings();
        return "HostName=" + s.serviceHostName() + ";SharedAccessKeyName=" + s.policyName() + ";SharedAccessKey="
                + s.policyKey();
    }

    // ---- enrollments ----

    /** Creates (or replaces) a symmetric-key enrollment group with a generated key; returns its primary key. */
    public String createSymmetricKeyGroup(String groupId) {
        return primaryKeyOf(put(EnrollmentSpec.group(groupId).build()));
    }

    /** Creates (or replaces) a symmetric-key enrollment group; returns {@code primaryKey}. */
    public String createSymmetricKeyGroup(String groupId, String primaryKey) {
        return primaryKeyOf(put(EnrollmentSpec.group(groupId).symmetricKey(primaryKey).build()));
    }

    /** Creates (or replaces) a symmetric-key individual enrollment with a generated key; returns its primary key. */
    public String createSymmetricKeyEnrollment(String registrationId) {
        return primaryKeyOf(put(EnrollmentSpec.individual(registrationId).build()));
    }

    /** Creates (or replaces) a symmetric-key individual enrollment; returns {@code primaryKey}. */
    public String createSymmetricKeyEnrollment(String registrationId, String primaryKey) {
        return primaryKeyOf(put(EnrollmentSpec.individual(registrationId).symmetricKey(primaryKey).build()));
    }

    /** Creates (or replaces) an individual enrollment for the device presenting {@code certificate}. */
    public void createX509Enrollment(String registrationId, X509Certificate certificate) {
        put(EnrollmentSpec.individual(registrationId).x509(certificate).build());
    }

    /** Creates (or replaces) an enrollment group for devices whose certificates chain to {@code signingCertificate}. */
    public void createX509Group(String groupId, X509Certificate signingCertificate) {
        put(EnrollmentSpec.group(groupId).x509(signingCertificate).build());
    }

    /**
     * Creates or replaces an enrollment as the service API would, with the same validation.
     *
     * @throws IllegalArgumentException with DPS's message when the enrollment is invalid
     */
    public void putEnrollment(EnrollmentSpec spec) {
        put(spec);
    }

    /** Deletes an individual enrollment and its registration state; false if there was none. */
    public boolean deleteEnrollment(String registrationId) {
        return delete(false, registrationId);
    }

    /** Deletes an enrollment group and its devices' registration states; false if there was none. */
    public boolean deleteEnrollmentGroup(String groupId) {
        return delete(true, groupId);
    }

    /** Registers a verified CA certificate that groups can name with {@link EnrollmentSpec.Builder#x509CaReference}. */
    public void addVerifiedCa(String name, X509Certificate certificate) {
        runtime.addVerifiedCa(name, certificate);
    }

    // ---- registrations ----

    public Optional<RegistrationView> registration(String registrationId) {
        return runtime.registrations().get(registrationId).map(EmulatedDpsInstance::view);
    }

    public List<RegistrationView> registrations() {
        return runtime.registrations().values().stream().map(EmulatedDpsInstance::view).toList();
    }

    /** How many devices are assigned to each hub, by hub host name. */
    public Map<String, Long> assignedDevicesPerHub() {
        Map<String, Long> counts = new TreeMap<>();
        for (RegistrationRecord r : runtime.registrations().values()) {
            if (r.isAssigned()) {
                counts.merge(r.assignedHub(), 1L, Long::sum);
            }
        }
        return counts;
    }

    /** Deletes a device's registration state, so its next registration is an initial assignment. */
    public boolean deleteRegistration(String registrationId) {
        try {
            runtime.registrations().delete(registrationId, null);
            return true;
        } catch (DpsError e) {
            return false;
        }
    }

    // ---- linked hubs ----

    public List<LinkedHub> linkedHubs() {
        return runtime.linkedHubs();
    }

    /** Links a hub, or changes the weight and allocation switch of a hub already linked under that name. */
    public void linkHub(LinkedHub hub) {
        runtime.link(Objects.requireNonNull(hub, "hub"));
    }

    /** Unlinks a hub; devices already assigned to it keep their registration state. */
    public boolean unlinkHub(String hostName) {
        return runtime.unlink(hostName);
    }

    // ---- faults ----

    /**
     * Answers the next {@code count} requests of the given kinds (all kinds if none given) with {@code status} and a
     * DPS error body; 429 and 503 carry {@code Retry-After: 1}.
     */
    public void failNext(int count, int status, RequestKind... kinds) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an injected failure needs a 4xx or 5xx status, not " + status);
        }
        runtime.faults().add(count, kinds(kinds), new FaultPlan.Fail(status));
    }

    /** Delays the next {@code count} requests of the given kinds (all kinds if none given), then handles them. */
    public void delayNext(int count, Duration delay, RequestKind... kinds) {
        if (Objects.requireNonNull(delay, "delay").isNegative()) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        runtime.faults().add(count, kinds(kinds), new FaultPlan.Delay(delay));
    }

    public void clearFaults() {
        runtime.faults().clear();
    }

    /**
     * Takes the instance down: its requests are counted as dropped and their connections closed without an answer,
     * which clients see as a transport failure. Other instances on the same listener keep working.
     */
    public void takeDown() {
        runtime.setUp(false);
    }

    public void bringUp() {
        runtime.setUp(true);
    }

    public boolean isUp() {
        return runtime.isUp();
    }

    // ---- counters and reset ----

    public RequestCounters counters() {
        return runtime.counters();
    }

    /**
     * Forgets enrollments, registrations, faults, counters and quota usage, relinks the configured hubs and brings the
     * instance up; keeps its name, ID scope and credentials.
     */
    public void reset() {
        runtime.reset();
    }

    @Override
    public String toString() {
        return "EmulatedDpsInstance[" + name() + ", idScope=" + idScope() + ", up=" + isUp() + "]";
    }

    private EnrollmentRecord put(EnrollmentSpec spec) {
        try {
            return EnrollmentCommands.write(runtime, spec.isGroup(), spec.id(), spec.toJson(), null);
        } catch (DpsError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private boolean delete(boolean group, String id) {
        try {
            EnrollmentCommands.delete(runtime, group, id, null);
            return true;
        } catch (DpsError e) {
            return false;
        }
    }

    private static String primaryKeyOf(EnrollmentRecord record) {
        return ((EnrollmentAttestation.SymmetricKeys) record.attestation()).primaryKey();
    }

    private static EnumSet<RequestKind> kinds(RequestKind... kinds) {
        return kinds.length == 0 ? EnumSet.allOf(RequestKind.class) : EnumSet.copyOf(List.of(kinds));
    }

    private static RegistrationView view(RegistrationRecord r) {
        return new RegistrationView(r.registrationId(), r.deviceId(), r.status(), r.substatus(), r.assignedHub(),
                r.enrollmentGroupId(), r.attestationType(), r.errorCode(), r.errorMessage(), json(r.payload()),
                json(r.twin()), r.created(), r.lastUpdated(), r.etag());
    }

    private static String json(JsonNode node) {
        return node == null ? null : new String(DpsJson.write(node), StandardCharsets.UTF_8);
    }
}
