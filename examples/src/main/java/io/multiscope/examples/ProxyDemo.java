package io.multiscope.examples;

import io.multiscope.testkit.ServiceClientRouting;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.DriftReport;
import io.multiscope.core.InstanceStatus;
import io.multiscope.core.ProxyProvisioningService;
import io.multiscope.core.ProxyStats;
import io.multiscope.core.attestation.Attestations;
import io.multiscope.core.attestation.HardwareIdAttestation;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.dps.AzureSdkDeviceGateway;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.dps.GroupSetup;
import io.multiscope.core.hardwareid.HardwareIdImport;
import io.multiscope.core.hardwareid.HardwareIdProof;
import io.multiscope.core.hardwareid.ImportReport;
import io.multiscope.core.hardwareid.InMemoryHardwareIdRegistry;
import io.multiscope.core.http.AdminAuthenticator;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EmulatedDpsInstance;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pattern 2, the provisioning API as a DPS proxy, end to end on one machine: a local DPS emulator with two instances,
 * the proxy registering devices with them through the real Azure device SDK, its enrollment groups set up through the
 * real service client, devices calling {@code POST /v1/registrations} over real HTTPS with SAS tokens or hardware-id
 * proofs, then a reboot storm, a drift check and a deprovision.
 *
 * <pre>java -cp examples/target/multiscope-examples.jar io.multiscope.examples.ProxyDemo [--devices N] [--threads N]
 * </pre>
 * or from another program: {@code ProxyDemo.run(System.out, 200, 16)}.
 */
public final class ProxyDemo {

    private static final String ADMIN_TOKEN = "demo-admin-token-not-for-production";
    private static final Pattern PROBLEM_TYPE = Pattern.compile("\"type\":\"[^\"]*/([a-z-]+)\"");
    private static final Pattern HUB = Pattern.compile("\"assignedHub\":\"([^\"]+)\"");

    private final PrintStream out;
    private final int devices;
    private final int threads;

    private ProxyDemo(PrintStream out, int devices, int threads) {
        this.out = out;
        this.devices = devices;
        this.threads = threads;
    }

    public static void main(String[] args) throws Exception {
        int devices = 200;
        int threads = 16;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: ProxyDemo [--devices N] [--threads N]");
                    System.exit(2);
                }
            }
        }
        run(System.out, devices, threads);
    }

    /**
     * Runs the demo and prints its summary to {@code out}.
     *
     * @param devices how many devices boot (1 to 10,000; each is one DPS registration through the SDK)
     * @param threads how many devices call the API at once
     */
    public static void run(PrintStream out, int devices, int threads) throws Exception {
        if (devices < 1 || devices > 10_000 || threads < 1 || threads > 256) {
            throw new IllegalArgumentException("devices must be 1 to 10,000 and threads 1 to 256");
        }
        // The JDK HTTP server writes headers and body separately; without this each exchange waits for a delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        new ProxyDemo(out, devices, threads).run();
    }

    @SuppressWarnings("try") // the routing is only held open for the duration of the demo
    private void run() throws Exception {
        try (DpsEmulator dps = DpsEmulator.builder()
                .instance("dps-eu-1", i -> i.idScope("0ne0001A1B2").linkedHub("hub-eu-1.azure-devices.net")
                        .linkedHub("hub-eu-2.azure-devices.net"))
                .instance("dps-eu-2", i -> i.idScope("0ne0002E3F4").linkedHub("hub-eu-3.azure-devices.net"))
                .instantAssignment(true).start();
                // The service client only dials port 443 with JVM-wide TLS settings: route it to the emulator.
                ServiceClientRouting routing = ServiceClientRouting.install(dps)) {
            out.printf("Multiscope demo: the provisioning API as a DPS proxy (pattern 2)%n");
            out.printf("DPS emulator on %s: %d instances, instant assignment; the proxy talks to it through the real "
                    + "Azure SDKs%n%n", dps.deviceEndpoint(), dps.instances().size());

            // What the application keeps in its secret store: each instance's enrollment group key and service
            // connection string, and the key devices' own keys derive from.
            String deviceGroupKey = randomKey();
            InMemoryHardwareIdRegistry hardwareIds = new InMemoryHardwareIdRegistry();
            byte[] secret = "secret burnt into acme-th-0001 at the factory".getBytes(StandardCharsets.UTF_8);
            ImportReport imported = new HardwareIdImport(hardwareIds).importCsv("acme-lot-42.csv", new StringReader(
                    "hardware_id,secret_sha256,public_key\n"
                            + "acme-th-0001," + sha256Hex(secret) + ",\n"
                            + "acme-th-0002," + sha256Hex("another secret".getBytes(StandardCharsets.UTF_8)) + ",\n"
                            + "acme th 0003,00ff,\n"));
            out.printf("Hardware-id list %s: %d rows, %d listed, %d rejected%n", imported.batch(), imported.rows(),
                    imported.added(), imported.rejectedCount());
            imported.rejected().forEach(r -> out.printf("  line %d (%s): %s%n", r.line(), r.hardwareId(), r.reason()));
            hardwareIds.revoke("acme-th-0002", Instant.now(), "reported stolen");

            ProxyProvisioningService.Builder builder = ProxyProvisioningService.builder()
                    .attestation(Attestations.anyOf(HardwareIdAttestation.of(hardwareIds),
                            SymmetricKeyAttestation.withGroupKey(deviceGroupKey)))
                    .deviceGateway(AzureSdkDeviceGateway.builder().sslContext(dps.clientSslContext()).build())
                    .registrationThreads(threads, 10_000);
            Map<String, DpsInstance> instances = new TreeMap<>();
            Map<String, DpsCredentials> secrets = new TreeMap<>();
            for (EmulatedDpsInstance instance : dps.instances()) {
                DpsInstance config = DpsInstance.builder(instance.name()).idScope(instance.idScope())
                        .globalEndpoint(dps.deviceEndpoint()).region("westeurope").build();
                DpsCredentials credentials = DpsCredentials.builder(instance.name())
                        .enrollmentGroup("multiscope-proxy").groupKey(randomKey())
                        .serviceConnectionString(instance.serviceConnectionString()).build();
                instances.put(config.id(), config);
                secrets.put(config.id(), credentials);
                builder.instance(config, credentials);
            }
            try (ProxyProvisioningService proxy = builder.build();
                    ProvisioningHttpServer server = ProvisioningHttpServer.https(ProvisioningApi.builder(proxy)
                            .admin(AdminAuthenticator.bearerToken(ADMIN_TOKEN)).build(),
                            dps.certificates().serverKeyManagers(List.of())).threads(threads).start()) {
                out.printf("Enrollment groups (service client):");
                for (GroupSetup g : proxy.ensureEnrollmentGroups()) {
                    out.printf(" %s %s", g.instanceId(), g.outcome());
                }
                out.printf("%nProvisioning API %s, %,d devices, %d at a time%n%n", server.uri(), devices, threads);
                HttpClient http = HttpClient.newBuilder().sslContext(dps.clientSslContext())
                        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
                URI api = server.uri();

                List<String> fleet = new ArrayList<>();
                for (int i = 0; i < devices; i++) {
                    fleet.add(String.format("sensor-%06d", i));
                }
                wave(http, api, deviceGroupKey, "First boot  ", fleet).print(out);
                wave(http, api, deviceGroupKey, "Reboot storm", fleet).print(out);

                out.printf("%nOther devices:%n");
                String proof = HardwareIdProof.withSecret("acme-th-0001", secret, Instant.now().plusSeconds(120));
                describe("acme-th-0001 with a hardware-id proof", post(http, api, "acme-th-0001", proof));
                describe("acme-th-0002, revoked", post(http, api, "acme-th-0002", HardwareIdProof.withSecret(
                        "acme-th-0002", "another secret".getBytes(StandardCharsets.UTF_8),
                        Instant.now().plusSeconds(120))));
                describe("sensor-x with sensor-y's key", post(http, api, "sensor-x", sas(deviceGroupKey, "sensor-x",
                        "sensor-y")));
                describe("acme-th-0001 replaying an expired proof", post(http, api, "acme-th-0001",
                        HardwareIdProof.withSecret("acme-th-0001", secret, Instant.now().minusSeconds(600))));

                out.printf("%n%-10s %8s  %s%n", "instance", "devices", "devices per hub (from DPS)");
                for (InstanceStatus s : proxy.instances()) {
                    out.printf("%-10s %,8d  %s%n", s.instance().id(), s.assignedCount(),
                            dps.instance(s.instance().id()).assignedDevicesPerHub());
                }
                out.printf("Hub of sensor-000000 from the proxy's cache: %s%n",
                        proxy.assignedHub("sensor-000000").orElse("(none)"));

                // A device registers on dps-eu-1 through the proxy's group but behind its back (a leaked group
                // key, a test script); the drift check compares DPS with the inventory and finds it.
                AzureSdkDeviceGateway.builder().sslContext(dps.clientSslContext()).build().register(
                        instances.get("dps-eu-1"), "rogue-1", secrets.get("dps-eu-1").deviceKey("rogue-1"),
                        Optional.empty());
                DriftReport drift = proxy.monitor();
                out.printf("%nDrift check:");
                for (DriftReport.InstanceDrift d : drift.instances()) {
                    out.printf(" %s DPS %d / inventory %d%s;", d.instanceId(), d.dpsRegistrations(),
                            d.inventoryRegistered(), d.hasDrift() ? " unknown " + d.unknownToInventory() : "");
                }
                out.printf(" drift found: %s%n", drift.hasDrift() ? "yes" : "no");
                HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(api.resolve(
                        "/v1/registrations/sensor-000000")).header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
                boolean gone = dps.instances().stream().allMatch(i -> i.registration("sensor-000000").isEmpty());
                out.printf("Deprovision sensor-000000 (admin DELETE): %d; its DPS registration state is gone: %s%n",
                        deleted.statusCode(), gone);

                ProxyStats stats = proxy.stats();
                out.printf("%nProxy counters: %,d registered with DPS in %,d SDK calls, %,d answered from the "
                        + "inventory, %,d queued, %,d deferred, %,d failed%n", stats.registered(), stats.dpsCalls(),
                        stats.answeredFromInventory(), stats.queued(), stats.deferred(), stats.failed());
                out.printf("Time in the Azure device SDK: %.0f%% of the proxy's end-to-end time for DPS-bound "
                        + "requests (mean %.1f ms per SDK call)%n", stats.sdkShare() * 100,
                        stats.dpsCalls() == 0 ? 0.0 : stats.sdkNanos() / 1e6 / stats.dpsCalls());
            }
        }
    }

    private Wave wave(HttpClient http, URI api, String groupKey, String label, List<String> ids) throws Exception {
        Wave wave = new Wave(label);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(ids);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    String id;
                    while ((id = queue.poll()) != null) {
                        wave.record(post(http, api, id, sas(groupKey, id, id)));
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
        }
        wave.seconds = (System.nanoTime() - start) / 1e9;
        return wave;
    }

    private static HttpResponse<String> post(HttpClient http, URI api, String id, String authorization)
            throws Exception {
        return http.send(HttpRequest.newBuilder(api.resolve("/v1/registrations"))
                .header("Content-Type", "application/json").header("Authorization", authorization)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"registrationId\":\"" + id + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void describe(String what, HttpResponse<String> r) {
        Matcher hub = HUB.matcher(r.body());
        Matcher problem = PROBLEM_TYPE.matcher(r.body());
        out.printf("  %-42s -> %d %s%n", what, r.statusCode(), hub.find() ? "hub " + hub.group(1)
                : problem.find() ? problem.group(1) : "");
    }

    private static String sas(String groupKey, String id, String keyOf) {
        return SasToken.forDevice(SasToken.deviceResource(SymmetricKeyAttestation.DEFAULT_SCOPE, id),
                SasToken.deriveDeviceKey(groupKey, keyOf), Instant.now().plus(Duration.ofHours(1)));
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static String sha256Hex(byte[] secret) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret));
    }

    /** What happened to the devices of one wave. */
    private static final class Wave {
        final String label;
        final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        volatile double seconds;

        Wave(String label) {
            this.label = label;
        }

        void record(HttpResponse<String> r) {
            String key = switch (r.statusCode()) {
                case 201 -> "registered with DPS (201)";
                case 200 -> "answered from the inventory (200)";
                case 429 -> "deferred (429)";
                default -> {
                    Matcher m = PROBLEM_TYPE.matcher(r.body());
                    yield r.statusCode() + " " + (m.find() ? m.group(1) : "");
                }
            };
            outcomes.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        }

        void print(PrintStream out) {
            long total = outcomes.values().stream().mapToLong(AtomicLong::get).sum();
            Map<String, Long> sorted = new TreeMap<>();
            outcomes.forEach((k, v) -> sorted.put(k, v.get()));
            out.printf("%s  %s  |  %,.0f requests/s%n", label, sorted, total / Math.max(seconds, 1e-9));
        }
    }
}
