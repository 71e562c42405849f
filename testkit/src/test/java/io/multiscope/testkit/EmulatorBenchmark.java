package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import io.multiscope.core.attestation.SasToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: a measurement run by hand. 1,000 devices register through the real device SDK over HTTPS in instant
 * mode, first one after another, then from 8 threads; the emulator's own handling time per request comes from its
 * counters. Results go to {@code testkit/target/dps-emulator-benchmark.txt}.
 *
 * <pre>
 * ./mvnw -B -pl testkit -am verify -Dtest=EmulatorBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dmultiscope.benchmark=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "multiscope.benchmark", matches = "true")
class EmulatorBenchmark {

    static final int DEVICES = 1000;
    static final String SCOPE = "0ne000BENCH";

    @Test
    void thousandDevicesThroughTheRealSdk() throws Exception {
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "JVM %s, %d available processors%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors()));
        for (int threads : new int[] {1, 8}) {
            try (DpsEmulator dps = DpsEmulator.builder()
                    .instance("bench", i -> i.idScope(SCOPE).registrationsPerMinute(1_000_000)
                            .linkedHub("hub-1.azure-devices.net").linkedHub("hub-2.azure-devices.net"))
                    .instantAssignment(true)
                    .start()) {
                EmulatedDpsInstance instance = dps.instance("bench");
                String groupKey = instance.createSymmetricKeyGroup("bench-grp");
                SSLContext trust = dps.clientSslContext();
                warmUp(dps, groupKey, trust);
                instance.reset();
                instance.createSymmetricKeyGroup("bench-grp", groupKey);

                long start = System.nanoTime();
                runAll(dps, groupKey, trust, threads);
                long wallNanos = System.nanoTime() - start;

                assertThat(instance.counters().assigned()).isEqualTo(DEVICES);
                assertThat(instance.registrations()).hasSize(DEVICES);
                report.append(String.format(Locale.ROOT,
                        "%d devices, %d thread(s): wall %.1f s, %.1f registrations/s, %.1f ms per registration "
                                + "end to end, emulator handling %.2f ms per register request; per hub %s%n",
                        DEVICES, threads, wallNanos / 1e9, DEVICES / (wallNanos / 1e9),
                        wallNanos / 1e6 / DEVICES * threads,
                        instance.counters().meanHandlingNanos(RequestKind.REGISTER) / 1e6,
                        instance.assignedDevicesPerHub()));
            }
        }
        Path out = Path.of("target", "dps-emulator-benchmark.txt");
        Files.writeString(out, report.toString(), StandardCharsets.UTF_8);
        System.out.print(report);
    }

    private static void warmUp(DpsEmulator dps, String groupKey, SSLContext trust) throws Exception {
        for (int i = 0; i < 50; i++) {
            register(dps, "warm-" + i, groupKey, trust);
        }
    }

    private static void runAll(DpsEmulator dps, String groupKey, SSLContext trust, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<ProvisioningDeviceClientRegistrationResult>> results = new ArrayList<>();
            for (int i = 0; i < DEVICES; i++) {
                String id = String.format(Locale.ROOT, "bench-device-%04d", i);
                results.add(pool.submit(() -> register(dps, id, groupKey, trust)));
            }
            for (Future<ProvisioningDeviceClientRegistrationResult> result : results) {
                assertThat(result.get().getIothubUri()).startsWith("hub-");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static ProvisioningDeviceClientRegistrationResult register(DpsEmulator dps, String id, String groupKey,
            SSLContext trust) throws Exception {
        return SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                new TestSymmetricKeySecurityProvider(id, SasToken.deriveDeviceKey(groupKey, id), trust));
    }
}
