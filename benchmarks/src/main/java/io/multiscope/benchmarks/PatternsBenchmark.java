package io.multiscope.benchmarks;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.RedirectProvisioning;
import io.multiscope.core.TransferResult;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.claims.BundleSigners;
import io.multiscope.core.claims.ClaimCodeHasher;
import io.multiscope.core.claims.ClaimCodeIssuer;
import io.multiscope.core.claims.ClaimRequest;
import io.multiscope.core.claims.ClaimService;
import io.multiscope.core.claims.HmacInstallerTokens;
import io.multiscope.core.claims.InstallerIdentity;
import io.multiscope.core.claims.ProvisioningBundle;
import io.multiscope.core.http.AllocationWebhook;
import io.multiscope.core.http.ApiRequest;
import io.multiscope.core.http.ApiResponse;
import io.multiscope.core.http.FunctionKeys;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.store.InMemoryInventoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-process throughput of the server side of patterns 3 (redirect) and 4 (claims), without HTTP, on the in-memory
 * store:
 * <ul>
 *   <li><b>webhook, first call</b>: {@link AllocationWebhook#handle} with a factory DPS's AllocationRequest body and
 *       the function key, for a device in the ownership registry but not yet placed (key check, JSON parse, owner
 *       look-up, choice among the owner's instances, registry and inventory writes, staging hub, answer);</li>
 *   <li><b>webhook, repeat call</b>: the same request again (sticky: reads only);</li>
 *   <li><b>transfer</b>: {@link RedirectProvisioning#transfer} of each placed device to another owner. Single
 *       transfers are not paced ({@code transfersPerMinute} paces only {@code transferAll}); it is set to its maximum
 *       anyway. No DPS service credentials are configured, so the clean-up of the old registration is reported as not
 *       configured instead of calling DPS;</li>
 *   <li><b>claim</b>: {@link ClaimService#claim}, direct variant over a {@link ZeroTouchProvisioning}, HMAC-SHA256
 *       bundle signing from the group key, codes issued beforehand with {@link ClaimCodeIssuer}, one installer per
 *       device (so the per-installer rate limit never refuses).</li>
 * </ul>
 * Each round builds fresh services and sends every device once per measurement from T threads; a smaller warm-up
 * round runs first and is not reported. Request bodies, codes and identities are made before timing starts.
 *
 * <pre>./mvnw -B -pl benchmarks -am -DskipTests -Prun-benchmark verify \
 *     -Dbenchmark.class=io.multiscope.benchmarks.PatternsBenchmark \
 *     -Dbenchmark.args="--devices 50000 --threads 4 --rounds 3"</pre>
 */
public final class PatternsBenchmark {

    private static final String FUNCTION_KEY = "bench-function-key-0123456789abcdef";
    private static final String GROUP_KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final byte[] TOKEN_KEY = "installer-token-key-of-32-bytes!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PEPPER = "pepper-for-claim-code-bench-32b!".getBytes(StandardCharsets.US_ASCII);
    private static final int OWNERS = 4;
    private static final List<String> HUBS = List.of("factory-staging-1.azure-devices.net",
            "factory-staging-2.azure-devices.net");

    private record Rates(double first, double repeat, double transfer, double claim) {
    }

    public static void main(String[] args) throws Exception {
        BenchmarkArgs parsed = BenchmarkArgs.parse(args, 50_000, 4, 3);
        int devices = parsed.devices();
        int threads = parsed.threads();
        int rounds = parsed.rounds();
        System.out.printf("PatternsBenchmark: %,d devices, %d threads, %d rounds, %d CPUs, Java %s%n", devices,
                threads, rounds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        Rates warm = round(Math.min(devices, 10_000), threads);
        System.out.printf("warm-up (%,d devices, not counted): webhook first %,.0f/s, webhook repeat %,.0f/s, "
                + "transfer %,.0f/s, claim %,.0f/s%n", Math.min(devices, 10_000), warm.first(), warm.repeat(),
                warm.transfer(), warm.claim());
        Rates best = new Rates(0, 0, 0, 0);
        for (int r = 1; r <= rounds; r++) {
            Rates rates = round(devices, threads);
            System.out.printf("round %d: webhook first %,.0f/s, webhook repeat %,.0f/s, transfer %,.0f/s, "
                    + "claim %,.0f/s%n", r, rates.first(), rates.repeat(), rates.transfer(), rates.claim());
            best = new Rates(Math.max(best.first(), rates.first()), Math.max(best.repeat(), rates.repeat()),
                    Math.max(best.transfer(), rates.transfer()), Math.max(best.claim(), rates.claim()));
        }
        System.out.printf("%n| Measurement | requests/s (best of %d) | times 1,000/min |%n|---|---:|---:|%n", rounds);
        row("Allocation webhook, first call (owner look-up + placement)", best.first());
        row("Allocation webhook, repeat call (sticky)", best.repeat());
        row("RedirectProvisioning.transfer (single, unpaced)", best.transfer());
        row("ClaimService.claim, direct, HMAC bundle", best.claim());
    }

    private static void row(String what, double perSecond) {
        System.out.printf("| %s | %,.0f | %,.0f |%n", what, perSecond, perSecond / (1000 / 60.0));
    }

    private static Rates round(int devices, int threads) throws Exception {
        // Pattern 3: every device in the registry, spread over the owners; no device placed yet.
        InMemoryInventoryStore store = new InMemoryInventoryStore();
        OwnershipRegistry registry = store.ownership();
        RedirectProvisioning.Builder b = RedirectProvisioning.builder().store(store)
                .transfersPerMinute(60_000);
        for (int o = 0; o < OWNERS; o++) {
            for (int k = 0; k < 2; k++) {
                String id = "owner-" + o + "-dps-" + k;
                b.instance(DpsInstance.builder(id).idScope("0ne0000" + o + "0" + k)
                        .globalEndpoint("owner-" + o + ".example.net").region(k == 0 ? "eu" : "us")
                        .tenantPool("owner-" + o).capacity(10_000_000).build());
            }
        }
        RedirectProvisioning redirect = b.build();
        AllocationWebhook webhook = AllocationWebhook.of(redirect, FunctionKeys.of(FUNCTION_KEY));
        List<ApiRequest> calls = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            String id = "sensor-" + i;
            registry.register(NewOwnership.of(id, "owner-" + (i % OWNERS)));
            calls.add(ApiRequest.of("POST", "/v1/dps/allocations?code=" + FUNCTION_KEY,
                    Map.of("Content-Type", "application/json; charset=utf-8"),
                    allocationRequest(id).getBytes(StandardCharsets.UTF_8)));
        }
        double first = each(devices, threads, i -> expect200(webhook.handle(calls.get(i))));
        long placed = store.assignedCounts().values().stream().mapToLong(Long::longValue).sum();
        if (placed != devices) {
            throw new IllegalStateException(placed + " devices placed, expected " + devices);
        }
        double repeat = each(devices, threads, i -> expect200(webhook.handle(calls.get(i))));
        double transfer = each(devices, threads, i -> {
            TransferResult r = redirect.transfer("sensor-" + i, "owner-" + ((i + 1) % OWNERS), "bench");
            if (r.status() != TransferResult.Status.TRANSFERRED) {
                throw new IllegalStateException("unexpected transfer result " + r);
            }
        });
        return new Rates(first, repeat, transfer, claims(devices, threads));
    }

    private static double claims(int devices, int threads) throws Exception {
        InMemoryInventoryStore store = new InMemoryInventoryStore();
        ZeroTouchProvisioning.Builder zb = ZeroTouchProvisioning.builder().store(store)
                .attestation(SymmetricKeyAttestation.withGroupKey(GROUP_KEY));
        for (int i = 0; i < 4; i++) {
            zb.instance(DpsInstance.builder("dps-" + i).idScope("0ne000000" + i).region(i % 2 == 0 ? "eu" : "us")
                    .registrationsPerMinute(Integer.MAX_VALUE / 2).capacity(10_000_000).build());
        }
        ZeroTouchProvisioning zeroTouch = zb.build();
        ClaimCodeHasher hasher = ClaimCodeHasher.withPepper("p1", PEPPER);
        ClaimCodeIssuer issuer = ClaimCodeIssuer.builder(store.ownership(), hasher).validity(Duration.ofDays(30))
                .build();
        ClaimService claims = ClaimService.builder().installers(HmacInstallerTokens.builder(TOKEN_KEY).build())
                .codeHasher(hasher).bundleSigner(BundleSigners.groupKey(GROUP_KEY)).direct(zeroTouch).build();
        List<ClaimRequest> requests = new ArrayList<>(devices);
        List<InstallerIdentity> installers = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            String id = "meter-" + i;
            String owner = "owner-" + (i % OWNERS);
            requests.add(new ClaimRequest(id, issuer.issue(id, owner).code()));
            installers.add(new InstallerIdentity("installer-" + i, owner));
        }
        return each(devices, threads, i -> {
            ProvisioningBundle bundle = claims.claim(installers.get(i), requests.get(i));
            if (!bundle.registrationId().equals(requests.get(i).registrationId())) {
                throw new IllegalStateException("bundle for the wrong device: " + bundle);
            }
        });
    }

    /** DPS's AllocationRequest for a symmetric-key group enrollment, as the docs show it. */
    private static String allocationRequest(String registrationId) {
        return """
                {"enrollmentGroup": {"enrollmentGroupId": "factory", "attestation": {"type": "symmetricKey"},
                "capabilities": {"iotEdge": false}, "etag": "\\"1\\"", "provisioningStatus": "enabled",
                "reprovisionPolicy": {"updateHubAssignment": true, "migrateDeviceData": true},
                "allocationPolicy": "custom", "customAllocationDefinition": {"webhookUrl":
                "https://provisioning.example.com/v1/dps/allocations?code=...", "apiVersion": "2021-10-01"},
                "createdDateTimeUtc": "2026-11-01T00:00:00Z", "lastUpdatedDateTimeUtc": "2026-11-01T00:00:00Z"},
                "deviceRuntimeContext": {"registrationId": "%s", "symmetricKey": {},
                "payload": {"modelId": "dtmi:com:example:Sensor;1"}},
                "linkedHubs": ["%s", "%s"]}""".formatted(registrationId, HUBS.get(0), HUBS.get(1));
    }

    private static void expect200(ApiResponse r) {
        if (r.status() != 200) {
            throw new IllegalStateException("webhook answered " + r.status() + ": " + r.bodyText());
        }
    }

    @FunctionalInterface
    private interface PerDevice {
        void run(int device) throws Exception;
    }

    /** Runs {@code work} once for every device index from {@code threads} threads; returns calls per second. */
    private static double each(int devices, int threads, PerDevice work) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < devices) {
                        work.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
            return devices / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }
}
