package io.multiscope.device;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.attestation.Attestations;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.attestation.X509Attestation;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EmulatedDpsInstance;
import io.multiscope.testkit.RequestCounters;
import io.multiscope.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The real parts a device test runs against: the testkit DPS emulator (instant assignment, real HTTPS) with one
 * symmetric-key group and one X.509 group per instance, and optionally Multiscope's provisioning API over HTTPS in
 * front of it. Everything runs on one clock, virtual by default.
 */
final class TestEnvironment implements AutoCloseable {

    static final String GROUP_KEY = Base64.getEncoder()
            .encodeToString("a group key of 32 bytes for test".getBytes(StandardCharsets.US_ASCII));
    static final TestCertificates PKI = TestCertificates.shared();

    final Clock clock;
    final ManualTime time;
    final DpsEmulator dps;
    ZeroTouchProvisioning service;
    ProvisioningHttpServer api;

    private TestEnvironment(Clock clock, ManualTime time, DpsEmulator dps) {
        this.clock = clock;
        this.time = time;
        this.dps = dps;
    }

    /** An emulator with the given instances (and their default quotas) on a fresh {@link ManualTime}. */
    static TestEnvironment start(String... instances) {
        ManualTime time = ManualTime.startingNow();
        return start(time, time, b -> b, instances);
    }

    static TestEnvironment start(Clock clock, ManualTime time, UnaryOperator<DpsEmulator.Builder> tweak,
            String... instances) {
        DpsEmulator.Builder b = DpsEmulator.builder().instantAssignment(true).clock(clock).certificates(PKI);
        for (String name : instances) {
            b.instance(name);
        }
        DpsEmulator dps = tweak.apply(b).start();
        for (EmulatedDpsInstance i : dps.instances()) {
            i.createSymmetricKeyGroup("fleet", GROUP_KEY);
            i.createX509Group("x509-fleet", PKI.caCertificate());
        }
        return new TestEnvironment(clock, time, dps);
    }

    /** An emulator whose instances {@code tweak} adds, on {@code clock}; devices get no default sleeper. */
    static TestEnvironment start(Clock clock, UnaryOperator<DpsEmulator.Builder> tweak) {
        return start(clock, null, tweak);
    }

    /** Starts the provisioning API over HTTPS, placing devices on every emulated instance. */
    TestEnvironment withApi(int registrationsPerMinute, UnaryOperator<AdmissionControl.Builder> admission)
            throws IOException {
        List<DpsInstance> instances = new ArrayList<>();
        for (EmulatedDpsInstance i : dps.instances()) {
            instances.add(DpsInstance.builder(i.name()).idScope(i.idScope()).globalEndpoint(dps.deviceEndpoint())
                    .region("westeurope").registrationsPerMinute(registrationsPerMinute).build());
        }
        // The cache and the fleet snapshot read a ticker: the same (possibly virtual) time as everything else.
        ZeroTouchProvisioning.Builder b = ZeroTouchProvisioning.builder().clock(clock)
                .ticker(() -> clock.instant().getEpochSecond() * 1_000_000_000L + clock.instant().getNano())
                .admission(admission.apply(AdmissionControl.builder().clock(clock).random(new Random(3))).build())
                .attestation(Attestations.anyOf(X509Attestation.builder().trustedCa(PKI.caCertificate()).clock(clock)
                        .build(), SymmetricKeyAttestation.builder().groupKey(GROUP_KEY).clock(clock).build()));
        instances.forEach(b::instance);
        service = b.build();
        api = ProvisioningHttpServer.https(ProvisioningApi.of(service), PKI.serverKeyManagers(List.of()))
                .requestClientCertificates(true).start();
        return this;
    }

    TestEnvironment withApi() throws IOException {
        return withApi(1000, a -> a);
    }

    EmulatedDpsInstance instance(String name) {
        return dps.instance(name);
    }

    /** A device of the symmetric-key group with everything but the endpoint set, on this environment's time. */
    DeviceProvisioner.Builder device(String registrationId, ProvisioningListener listener) {
        return base(listener).symmetricKey(registrationId, SasToken.deriveDeviceKey(GROUP_KEY, registrationId));
    }

    /** Trust, time, randomness and listener, but no identity or endpoint. */
    DeviceProvisioner.Builder base(ProvisioningListener listener) {
        DeviceProvisioner.Builder b = DeviceProvisioner.builder().trustedCas(List.of(PKI.caCertificate()))
                .includeSystemCas(false).clock(clock).random(new Random(42)).staggerWindow(Duration.ofSeconds(10))
                .listener(listener);
        return time != null ? b.sleeper(time) : b;
    }

    /** Direct DPS to the named instance. */
    DeviceProvisioner.Builder direct(DeviceProvisioner.Builder b, String instance) {
        return b.dps(dps.deviceEndpoint(), dps.instance(instance).idScope());
    }

    /** Through the provisioning API. */
    DeviceProvisioner.Builder viaApi(DeviceProvisioner.Builder b) {
        return b.provisioningApi(api.uri());
    }

    /** Registration (PUT) requests over all instances. */
    long registrations() {
        return dps.instances().stream().mapToLong(i -> i.counters().registrations()).sum();
    }

    /** What devices asked one instance (registrations, polls, status lookups); service API calls not counted. */
    long deviceRequests(String instance) {
        RequestCounters c = dps.instance(instance).counters();
        return c.registrations() + c.operationStatusPolls() + c.statusLookups();
    }

    /** Requests of any kind over all instances. */
    long dpsRequests() {
        return dps.instances().stream().mapToLong(i -> i.counters().total()).sum();
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
        dps.close();
    }
}
