package io.multiscope.benchmarks;

import io.multiscope.core.AssignmentRequest;
import io.multiscope.core.AssignmentResult;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.attestation.AttestationRequest;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.store.InMemoryInventoryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-process throughput of the zero-touch provisioning service (pattern 1), without HTTP: new devices (attest,
 * allocate, conditional write) and already-assigned devices (attest, cache hit), on the in-memory store.
 *
 * <p>Device SAS tokens are made before the clock starts, so the figures are the service's own cost, attestation
 * included. Admission quotas are set high enough not to defer: this measures the code path, not DPS's quota.
 *
 * <pre>./mvnw -B -pl benchmarks -am -DskipTests -Prun-benchmark verify \
 *     -Dbenchmark.class=io.multiscope.benchmarks.ZeroTouchBenchmark -Dbenchmark.args="--devices 200000"</pre>
 */
public final class ZeroTouchBenchmark {

    private static final String GROUP_KEY = Base64.getEncoder().encodeToString(new byte[32]);

    public static void main(String[] args) throws Exception {
        BenchmarkArgs parsed = BenchmarkArgs.parse(args, 200_000, 8, 3);
        int devices = parsed.devices();
        int threads = parsed.threads();
        int rounds = parsed.rounds();
        System.out.printf("ZeroTouchBenchmark: %,d devices, %d threads, %d rounds, %d CPUs, Java %s%n", devices,
                threads, rounds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        List<AttestationRequest> credentials = credentials(devices);
        double bestNew = 0;
        double bestKnown = 0;
        for (int round = 1; round <= rounds; round++) {
            ZeroTouchProvisioning service = service();
            double fresh = run(service, credentials, threads, true);
            double known = run(service, credentials, threads, false);
            System.out.printf("round %d: new devices %,.0f/s, already-assigned devices %,.0f/s%n", round, fresh, known);
            bestNew = Math.max(bestNew, fresh);
            bestKnown = Math.max(bestKnown, known);
        }
        System.out.printf("%n| Measurement | requests/s (best of %d) |%n|---|---:|%n", rounds);
        System.out.printf("| New devices (attest + allocate + record) | %,.0f |%n", bestNew);
        System.out.printf("| Already-assigned devices (attest + cache hit) | %,.0f |%n", bestKnown);
    }

    private static ZeroTouchProvisioning service() {
        ZeroTouchProvisioning.Builder b = ZeroTouchProvisioning.builder().store(new InMemoryInventoryStore())
                .attestation(SymmetricKeyAttestation.withGroupKey(GROUP_KEY));
        for (int i = 0; i < 4; i++) {
            b.instance(DpsInstance.builder("dps-" + i).idScope("0ne000000" + i).region(i % 2 == 0 ? "eu" : "us")
                    .registrationsPerMinute(Integer.MAX_VALUE / 2).capacity(10_000_000).build());
        }
        return b.build();
    }

    private static List<AttestationRequest> credentials(int devices) {
        List<AttestationRequest> list = new ArrayList<>(devices);
        Instant expiry = Instant.now().plus(Duration.ofHours(1));
        for (int i = 0; i < devices; i++) {
            String id = "bench-" + i;
            String token = SasToken.forDevice(SasToken.deviceResource(SymmetricKeyAttestation.DEFAULT_SCOPE, id),
                    SasToken.deriveDeviceKey(GROUP_KEY, id), expiry);
            list.add(new AttestationRequest(id, Optional.of(token), List.of()));
        }
        return list;
    }

    /** Sends every device once from {@code threads} threads; returns requests per second. */
    private static double run(ZeroTouchProvisioning service, List<AttestationRequest> credentials, int threads,
            boolean expectNew) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < credentials.size()) {
                        AssignmentResult r = service.requestAssignment(AssignmentRequest.of(credentials.get(i)));
                        if (!(r instanceof AssignmentResult.Assigned a) || a.newlyAssigned() != expectNew) {
                            throw new IllegalStateException("unexpected result " + r);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
            return credentials.size() / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }
}
