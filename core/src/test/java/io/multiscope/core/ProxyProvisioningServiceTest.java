package io.multiscope.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.attestation.AttestationRequest;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.dps.DpsCallException;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.dps.DpsDeviceGateway;
import io.multiscope.core.dps.DpsRegistration;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.core.time.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Configuration rules and the parts the real device SDK cannot show (it hides DPS's Retry-After header). Registration
 * through the real SDK against the emulator is tested in the testkit.
 */
class ProxyProvisioningServiceTest {

    static final String KEY = Base64.getEncoder().encodeToString("a group key of thirty-two bytes!".getBytes());
    static final String OTHER_KEY = Base64.getEncoder().encodeToString("another key with thirty-two byte".getBytes());
    static final DpsInstance EU = DpsInstance.builder("dps-eu-1").idScope("0ne0001").region("westeurope").build();
    static final DpsCredentials EU_KEYS = DpsCredentials.builder("dps-eu-1").enrollmentGroup("proxy")
            .groupKey(OTHER_KEY).serviceConnectionString("HostName=h;SharedAccessKeyName=p;SharedAccessKey=" + KEY)
            .build();

    @Test
    void credentialsAreValidatedAndNeverPrinted() {
        assertThat(EU_KEYS.toString()).doesNotContain(OTHER_KEY).doesNotContain(KEY).contains("dps-eu-1", "proxy");
        assertThat(EU_KEYS.deviceKey("dev-1")).isEqualTo(SasToken.deriveDeviceKey(OTHER_KEY, "dev-1"));
        assertThatThrownBy(() -> DpsCredentials.builder("x").enrollmentGroup("g").groupKey("not base64!").build())
                .hasMessageContaining("not valid base64").hasMessageNotContaining("not base64!");
        assertThatThrownBy(() -> DpsCredentials.builder("x").enrollmentGroup("bad/group").groupKey(KEY).build())
                .hasMessageContaining("enrollment group id");
        assertThatThrownBy(() -> DpsCredentials.builder("x").enrollmentGroup("g").groupKeys(KEY, KEY).build())
                .hasMessageContaining("the same key");
        assertThatThrownBy(() -> DpsCredentials.builder("x").groupKey(KEY).build())
                .hasMessageContaining("enrollment group is required");
    }

    @Test
    void theBuilderRefusesIncompleteOrContradictoryConfiguration() {
        SymmetricKeyAttestation att = SymmetricKeyAttestation.withGroupKey(KEY);
        assertThatThrownBy(() -> ProxyProvisioningService.builder().instance(EU, EU_KEYS).build())
                .hasMessageContaining("attestation is required");
        assertThatThrownBy(() -> ProxyProvisioningService.builder().attestation(att).build())
                .hasMessageContaining("no DPS instance");
        assertThatThrownBy(() -> ProxyProvisioningService.builder().instance(EU,
                DpsCredentials.builder("dps-us-1").enrollmentGroup("g").groupKey(KEY).build()))
                .hasMessageContaining("made for instance 'dps-us-1'");
        assertThatThrownBy(() -> ProxyProvisioningService.builder().waitQueue(-1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyProvisioningService.builder().circuit(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyProvisioningService.builder().assumedRetryAfter(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRetryAfterDpsPutsInItsAnswerIsHonouredInVirtualTime() throws Exception {
        VirtualClock clock = VirtualClock.startingAt(Instant.now());
        AtomicInteger calls = new AtomicInteger();
        // Stands in for DPS answering 429 with a wait in its body once, then assigning: the real SDK never shows it.
        DpsDeviceGateway dps = (instance, id, key, payload) -> {
            assertThat(key).isEqualTo(EU_KEYS.deviceKey(id));
            if (calls.incrementAndGet() == 1) {
                throw new DpsCallException("throttled", id, instance.id(), 429, Optional.of(Duration.ofSeconds(7)),
                        null);
            }
            return new DpsRegistration(id, "hub-1.azure-devices.net", id, Optional.empty());
        };
        try (ProxyProvisioningService proxy = ProxyProvisioningService.builder().instance(EU, EU_KEYS)
                .attestation(SymmetricKeyAttestation.withGroupKey(KEY)).deviceGateway(dps)
                .clock(clock).ticker(clock).sleeper(clock).scheduler(new VirtualScheduler(clock))
                .admission(io.multiscope.core.admission.AdmissionControl.builder().clock(clock).build())
                .dpsRetry(r -> r.retryAfterJitter(0)).build()) {
            Instant before = clock.instant();
            String token = SasToken.forDevice(SasToken.deviceResource("multiscope", "dev-1"),
                    SasToken.deriveDeviceKey(KEY, "dev-1"), Instant.now().plusSeconds(600));

            RegistrationResult r = proxy.registerAndWait(RegistrationRequest.of(
                    AttestationRequest.withAuthorization("dev-1", token)));

            assertThat(r).isInstanceOf(RegistrationResult.Registered.class);
            assertThat(Duration.between(before, clock.instant())).isEqualTo(Duration.ofSeconds(7));
            assertThat(calls.get()).isEqualTo(2);
            assertThat(proxy.admission().ratePerMinute("dps-eu-1")).isLessThan(EU.registrationsPerMinute());
            assertThat(proxy.stats().throttled()).isEqualTo(1);
        }
    }
}
