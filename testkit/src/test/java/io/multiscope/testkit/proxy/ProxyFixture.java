package io.multiscope.testkit.proxy;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.ProxyProvisioningService;
import io.multiscope.core.RegistrationRequest;
import io.multiscope.core.RegistrationResult;
import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.attestation.AttestationRequest;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.dps.AzureSdkDeviceGateway;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.core.time.VirtualScheduler;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EmulatedDpsInstance;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Two emulated DPS instances and a proxy in front of them, talking to them through the real device SDK over HTTPS.
 * The proxy's own time (admission budgets, circuits, queue, retry waits, cache) is virtual; DPS and the device SDK
 * run in real time, as SAS tokens are signed with the system clock.
 */
final class ProxyFixture implements AutoCloseable {

    static final String GROUP = "multiscope-proxy";
    static final String EU1 = "dps-eu-1";
    static final String EU2 = "dps-eu-2";
    static final String HUB1 = "hub-eu-1.azure-devices.net";
    static final String HUB2 = "hub-eu-2.azure-devices.net";

    final DpsEmulator dps;
    final VirtualClock clock = VirtualClock.startingAt(Instant.now());
    final VirtualScheduler scheduler = new VirtualScheduler(clock);
    final String deviceGroupKey = randomKey();
    final Map<String, DpsCredentials> credentials = new LinkedHashMap<>();
    final Map<String, DpsInstance> instances = new LinkedHashMap<>();
    final ProxyProvisioningService proxy;

    /** Both instances with 1,000 registrations a minute, groups created directly on the emulator. */
    static ProxyFixture create(DpsEmulator dps, Consumer<ProxyProvisioningService.Builder> custom) {
        return new ProxyFixture(dps, 1000, true, custom);
    }

    ProxyFixture(DpsEmulator dps, int registrationsPerMinute, boolean createGroups,
            Consumer<ProxyProvisioningService.Builder> custom) {
        this(dps, registrationsPerMinute, createGroups, SymmetricKeyAttestation.DEFAULT_SCOPE, custom);
    }

    /** @param scope what devices sign their SAS tokens for, before {@code /registrations/{id}} */
    ProxyFixture(DpsEmulator dps, int registrationsPerMinute, boolean createGroups, String scope,
            Consumer<ProxyProvisioningService.Builder> custom) {
        this.dps = dps;
        ProxyProvisioningService.Builder builder = ProxyProvisioningService.builder()
                .attestation(SymmetricKeyAttestation.builder().scope(scope).groupKey(deviceGroupKey).build())
                .deviceGateway(AzureSdkDeviceGateway.builder().sslContext(dps.clientSslContext())
                        .timeout(Duration.ofSeconds(15)).build())
                .admission(AdmissionControl.builder().clock(clock).build())
                .clock(clock).ticker(clock).sleeper(clock).scheduler(scheduler)
                .snapshotInterval(Duration.ZERO)
                .registrationThreads(4, 100);
        for (EmulatedDpsInstance emulated : dps.instances()) {
            String key = randomKey();
            if (createGroups) {
                emulated.createSymmetricKeyGroup(GROUP, key);
            }
            DpsInstance instance = DpsInstance.builder(emulated.name()).idScope(emulated.idScope())
                    .globalEndpoint(dps.deviceEndpoint()).region("westeurope")
                    .registrationsPerMinute(registrationsPerMinute).build();
            DpsCredentials c = DpsCredentials.builder(emulated.name()).enrollmentGroup(GROUP).groupKey(key)
                    .serviceConnectionString(emulated.serviceConnectionString()).build();
            instances.put(instance.id(), instance);
            credentials.put(instance.id(), c);
            builder.instance(instance, c);
        }
        custom.accept(builder);
        this.proxy = builder.build();
    }

    /** Two instances, instant assignment (DPS answers {@code assigned} on the register call). */
    static DpsEmulator startEmulator() {
        return DpsEmulator.builder()
                .instance(EU1, i -> i.idScope("0ne0001A1B2").linkedHub(HUB1))
                .instance(EU2, i -> i.idScope("0ne0002E3F4").linkedHub(HUB2))
                .instantAssignment(true)
                .start();
    }

    /** What a device sends the proxy: its registration id and a SAS token signed with its own derived key. */
    RegistrationRequest request(String registrationId) {
        return RegistrationRequest.of(credentials(registrationId, registrationId));
    }

    /** A token for {@code resourceId} signed with the key derived for {@code keyFor}. */
    AttestationRequest credentials(String resourceId, String keyFor) {
        String token = SasToken.forDevice(SasToken.deviceResource(SymmetricKeyAttestation.DEFAULT_SCOPE, resourceId),
                SasToken.deriveDeviceKey(deviceGroupKey, keyFor), Instant.now().plus(Duration.ofHours(1)));
        return AttestationRequest.withAuthorization(resourceId, token);
    }

    RegistrationResult registerAndWait(String registrationId) throws Exception {
        return await(proxy.register(request(registrationId)));
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @Override
    public void close() {
        proxy.close();
    }
}
