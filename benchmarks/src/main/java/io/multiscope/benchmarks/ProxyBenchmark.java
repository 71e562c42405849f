package io.multiscope.benchmarks;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.ProxyProvisioningService;
import io.multiscope.core.ProxyStats;
import io.multiscope.core.RegistrationRequest;
import io.multiscope.core.RegistrationResult;
import io.multiscope.core.attestation.AttestationRequest;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.dps.AzureSdkDeviceGateway;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EmulatedDpsInstance;
import io.multiscope.testkit.TestSymmetricKeySecurityProvider;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Throughput of the proxy (pattern 2) against the DPS emulator in instant mode, in process (no HTTP in front): N
 * concurrent devices call {@link ProxyProvisioningService#registerAndWait}, each a new device, so each call is one DPS
 * registration through the real Azure device SDK over HTTPS. The proxy's own counters give the time spent inside the
 * SDK call against the end-to-end time of each request.
 *
 * <p>For comparison the same number of registrations is made straight through the SDK from the same number of
 * threads (what devices registering themselves would cost the same machine), so the proxy's own overhead shows as the
 * difference.
 *
 * <pre>./mvnw -B -pl benchmarks -am -DskipTests -Prun-benchmark verify \
 *     -Dbenchmark.class=io.multiscope.benchmarks.ProxyBenchmark -Dbenchmark.args="--devices 2000 --threads 16"</pre>
 */
public final class ProxyBenchmark {

    private static final String DEVICE_KEY = Base64.getEncoder().encodeToString(new byte[32]);

    public static void main(String[] args) throws Exception {
        BenchmarkArgs parsed = BenchmarkArgs.parse(args, 2000, 16, 2);
        int devices = parsed.devices();
        int threads = parsed.threads();
        int rounds = parsed.rounds();
        // The JDK HTTP server (the emulator) writes headers and body separately; avoid a delayed ACK per exchange.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.out.printf("ProxyBenchmark: %,d devices per round, %d concurrent devices, %d rounds, %d CPUs, Java %s%n",
                devices, threads, rounds, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        try (DpsEmulator dps = DpsEmulator.builder()
                .instance("dps-1", i -> i.idScope("0ne0000B001").registrationsPerMinute(1_000_000))
                .instance("dps-2", i -> i.idScope("0ne0000B002").registrationsPerMinute(1_000_000))
                .instantAssignment(true).workerThreads(16).start()) {
            for (int round = 1; round <= rounds; round++) {
                proxyRound(dps, round, devices, threads);
                sdkRound(dps, round, devices, threads);
            }
        }
    }

    private static void proxyRound(DpsEmulator dps, int round, int devices, int threads) throws Exception {
        String deviceGroupKey = DEVICE_KEY;
        ProxyProvisioningService.Builder builder = ProxyProvisioningService.builder()
                .attestation(SymmetricKeyAttestation.withGroupKey(deviceGroupKey))
                .deviceGateway(AzureSdkDeviceGateway.builder().sslContext(dps.clientSslContext()).build())
                .registrationThreads(threads, 100_000);
        for (EmulatedDpsInstance instance : dps.instances()) {
            String key = instance.createSymmetricKeyGroup("proxy-" + round);
            builder.instance(DpsInstance.builder(instance.name()).idScope(instance.idScope())
                            .globalEndpoint(dps.deviceEndpoint()).region("bench")
                            .registrationsPerMinute(1_000_000).build(),
                    DpsCredentials.builder(instance.name()).enrollmentGroup("proxy-" + round).groupKey(key).build());
        }
        List<RegistrationRequest> requests = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            String id = "proxy-r" + round + "-" + i;
            requests.add(RegistrationRequest.of(AttestationRequest.withAuthorization(id, SasToken.forDevice(
                    SasToken.deviceResource("multiscope", id), SasToken.deriveDeviceKey(deviceGroupKey, id),
                    Instant.now().plus(Duration.ofHours(1))))));
        }
        ThreadMXBean jvmThreads = ManagementFactory.getThreadMXBean();
        try (ProxyProvisioningService proxy = builder.build()) {
            jvmThreads.resetPeakThreadCount();
            int liveBefore = jvmThreads.getThreadCount();
            long startedBefore = jvmThreads.getTotalStartedThreadCount();
            AtomicInteger next = new AtomicInteger();
            Map<String, Integer> outcomes = new TreeMap<>();
            double seconds = concurrently(threads, () -> {
                int i;
                while ((i = next.getAndIncrement()) < devices) {
                    RegistrationResult r = proxy.registerAndWait(requests.get(i));
                    synchronized (outcomes) {
                        outcomes.merge(r.getClass().getSimpleName(), 1, Integer::sum);
                    }
                }
            });
            long started = jvmThreads.getTotalStartedThreadCount() - startedBefore;
            int peak = jvmThreads.getPeakThreadCount();
            ProxyStats s = proxy.stats();
            System.out.printf("round %d  proxy:      %,7.1f registrations/s  %s  SDK share %.1f%%, mean SDK call "
                    + "%.1f ms, mean end-to-end %.1f ms, own code %.2f ms per registration%n", round,
                    devices / seconds, outcomes, s.sdkShare() * 100, s.sdkNanos() / 1e6 / s.dpsCalls(),
                    s.endToEndNanos() / 1e6 / s.dpsCalls(), (s.endToEndNanos() - s.sdkNanos()) / 1e6 / s.dpsCalls());
            System.out.printf("round %d  threads:    %.2f threads started per registration (the SDK's own), peak %d "
                    + "live threads (%d before)%n", round, (double) started / devices, peak, liveBefore);
        }
    }

    private static void sdkRound(DpsEmulator dps, int round, int devices, int threads) throws Exception {
        EmulatedDpsInstance instance = dps.instances().get(round % 2);
        String groupKey = instance.createSymmetricKeyGroup("direct-" + round);
        AtomicInteger next = new AtomicInteger();
        double seconds = concurrently(threads, () -> {
            int i;
            while ((i = next.getAndIncrement()) < devices) {
                String id = "direct-r" + round + "-" + i;
                ProvisioningDeviceClient client = ProvisioningDeviceClient.create(dps.deviceEndpoint(),
                        instance.idScope(), ProvisioningDeviceClientTransportProtocol.HTTPS,
                        TestSymmetricKeySecurityProvider.forGroupDevice(id, groupKey, dps.certificates()));
                try {
                    client.registerDeviceSync(60);
                } finally {
                    client.close();
                }
            }
        });
        System.out.printf("round %d  SDK alone:  %,7.1f registrations/s  (the same SDK calls, no proxy)%n", round,
                devices / seconds);
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    private static double concurrently(int threads, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    work.run();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }
}
