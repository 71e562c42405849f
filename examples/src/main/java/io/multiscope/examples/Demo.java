package io.multiscope.examples;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.InstanceStatus;
import io.multiscope.core.ProvisioningStats;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.allocation.Allocators;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.spi.InstanceState;
import io.multiscope.store.jdbc.JdbcInventoryStore;
import io.multiscope.testkit.TestCertificates;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * The README's demo: the zero-touch provisioning API (pattern 1) over real HTTPS, three DPS instances in two regions
 * (one draining), a fleet of devices with DPS-style SAS tokens derived from a group key, and a few bad requests.
 *
 * <p>By default the inventory is an embedded H2 database in {@code multiscope-demo-data/}, so a second run finds the
 * first run's fleet and serves it sticky; {@code --store memory} keeps everything in memory.
 *
 * <p>Then {@code --booting-devices} devices (300 by default, 0 to skip) boot with the device client
 * ({@link DeviceFleetDemo}): the real Azure SDK against the DPS emulator, a reboot with no network at all, and a
 * small DPS quota that shows deferrals and retries.
 *
 * <p>{@code --pattern proxy} runs pattern 2 instead: the API registers devices with (emulated) DPS itself; see
 * {@link ProxyDemo}.
 *
 * <pre>java -jar examples/target/multiscope-examples.jar [--devices N] [--threads N] [--store h2|memory]
 *     [--pattern zero-touch|proxy]</pre>
 */
public final class Demo {

    private static final String SCOPE = "multiscope";
    private static final Pattern PROBLEM_TYPE = Pattern.compile("\"type\":\"[^\"]*/([a-z-]+)\"");

    private final PrintStream out;
    private static final Path DATA = Path.of("multiscope-demo-data", "inventory");

    private final int devices;
    private final int threads;
    private final String storeKind;
    private final int bootingDevices;

    Demo(int devices, int threads, String storeKind, int bootingDevices, PrintStream out) {
        this.out = out;
        this.bootingDevices = bootingDevices;
        this.devices = devices;
        this.threads = threads;
        this.storeKind = storeKind;
    }

    public static void main(String[] args) throws Exception {
        int devices = 3_000;
        int threads = 16;
        String store = "h2";
        String pattern = "zero-touch";
        int booting = 300;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--store" -> store = args[++i];
                case "--pattern" -> pattern = args[++i];
                case "--booting-devices" -> booting = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("usage: java -jar multiscope-examples.jar [--devices N] [--threads N]"
                            + " [--store h2|memory] [--booting-devices N] [--pattern zero-touch|proxy]");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        if (devices < 1 || threads < 1) {
            System.err.println("--devices and --threads must be at least 1");
            System.exit(2);
        }
        if (booting < 0 || booting > 20_000) {
            System.err.println("--booting-devices must be 0 to 20000");
            System.exit(2);
        }
        if (!store.equals("h2") && !store.equals("memory")) {
            System.err.println("--store must be h2 or memory, not '" + store + "'");
            System.exit(2);
        }
        switch (pattern) {
            case "zero-touch" -> new Demo(devices, threads, store, booting, System.out).run();
            case "proxy" -> ProxyDemo.run(System.out, Math.min(devices, 10_000), threads);
            default -> {
                System.err.println("--pattern must be zero-touch or proxy, not '" + pattern + "'");
                System.exit(2);
            }
        }
    }

    void run() throws Exception {
        byte[] groupKeyBytes = new byte[32];
        new Random(7).nextBytes(groupKeyBytes);
        String groupKey = Base64.getEncoder().encodeToString(groupKeyBytes);
        // Admission control runs in simulated time so the demo can show a minute of DPS quota passing in an instant.
        VirtualClock quotaTime = VirtualClock.create();

        InventoryStore inventory = storeKind.equals("h2") ? JdbcInventoryStore.embedded(DATA).build()
                : new InMemoryInventoryStore();
        ZeroTouchProvisioning service = ZeroTouchProvisioning.builder()
                .store(inventory)
                .instance(DpsInstance.builder("dps-eu-1").idScope("0ne0001A1B2").region("westeurope")
                        .capacity(10_000).build())
                .instance(DpsInstance.builder("dps-eu-2").idScope("0ne0002E3F4").region("westeurope")
                        .capacity(10_000).state(InstanceState.DRAINING).build())
                .instance(DpsInstance.builder("dps-us-1").idScope("0ne0003C4D5").region("eastus")
                        .capacity(10_000).build())
                .strategy(Allocators.regionAffinity().then(Allocators.leastUtilised()))
                .attestation(SymmetricKeyAttestation.builder().scope(SCOPE).groupKey(groupKey).build())
                .admission(AdmissionControl.builder().clock(quotaTime).build())
                .build();
        TestCertificates pki = TestCertificates.shared();

        try (inventory; ProvisioningHttpServer server = ProvisioningHttpServer
                .https(ProvisioningApi.of(service), pki.serverKeyManagers(List.of())).start()) {
            URI api = server.uri();
            HttpClient http = HttpClient.newBuilder().sslContext(pki.clientSslContext())
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            out.printf("Multiscope demo: zero-touch provisioning (pattern 1) over HTTPS%n");
            out.printf("Provisioning API %s, %,d devices, %d client threads%n", api, devices, threads);
            out.printf("Inventory: %s%n%n", storeKind.equals("h2")
                    ? "embedded H2 in " + DATA.getParent() + "/ (run again to see the fleet served sticky; "
                            + "delete the folder to start over)"
                    : "in memory");

            List<DemoDevice> fleet = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                String id = String.format("sensor-%06d", i);
                fleet.add(new DemoDevice(id, SasToken.deriveDeviceKey(groupKey, id),
                        i % 5 < 3 ? "westeurope" : "eastus"));
            }

            Wave first = wave(http, api, "Boot          ", fleet, DemoDevice.Fault.NONE);
            first.print(out);
            List<DemoDevice> deferred = first.deferred();
            int round = 0;
            while (!deferred.isEmpty() && round++ < 5) {
                quotaTime.advance(Duration.ofMinutes(1));
                out.printf("%nOne minute of DPS quota passes (simulated); %,d deferred devices come back%n",
                        deferred.size());
                Wave retry = wave(http, api, "Retry         ", deferred, DemoDevice.Fault.NONE);
                retry.print(out);
                deferred = retry.deferred();
            }
            out.printf("%nEvery device reboots: known devices are answered from the cache, no new assignment%n");
            wave(http, api, "Reboot storm  ", fleet, DemoDevice.Fault.NONE).print(out);

            out.printf("%nBad requests: each is refused with a problem document and changes nothing%n");
            Map<String, String> refusals = new TreeMap<>();
            for (DemoDevice.Fault fault : DemoDevice.Fault.values()) {
                if (fault == DemoDevice.Fault.NONE) {
                    continue;
                }
                String id = "newcomer-" + fault.name().toLowerCase().replace('_', '-');
                DemoDevice victim = new DemoDevice(id, SasToken.deriveDeviceKey(groupKey, id), "westeurope");
                HttpResponse<String> r = victim.requestAssignment(http, api, SCOPE, Clock.systemUTC().instant(), fault);
                refusals.put(fault.name(), r.statusCode() + " " + problemType(r.body()));
            }
            refusals.forEach((fault, answer) -> out.printf("  %-22s -> %s%n", fault, answer));

            out.printf("%n%-10s %-11s %-9s %9s %9s %12s%n", "instance", "region", "state", "devices", "capacity",
                    "utilisation");
            for (InstanceStatus s : service.instances()) {
                out.printf("%-10s %-11s %-9s %,9d %,9d %11.1f%%%n", s.instance().id(), s.instance().region(),
                        s.instance().state(), s.assignedCount(), s.instance().capacity(), s.utilisation() * 100);
            }
            ProvisioningStats stats = service.stats();
            out.printf("%nService counters: %,d assigned, %,d sticky (%,d from cache), %,d deferred, %,d rejected%n",
                    stats.newAssignments(), stats.stickyHits(), stats.cacheHits(), stats.deferrals(),
                    stats.rejections());
        }
        if (bootingDevices > 0) {
            out.printf("%n--- The device side: OEM firmware with DeviceProvisioner, the same API pattern, and DPS ---%n%n");
            DeviceFleetDemo.run(out, bootingDevices);
        }
    }

    private Wave wave(HttpClient http, URI api, String label, List<DemoDevice> devices, DemoDevice.Fault fault)
            throws Exception {
        ProgressBar bar = new ProgressBar(out, label, devices.size());
        Wave wave = new Wave();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            ConcurrentLinkedQueue<DemoDevice> queue = new ConcurrentLinkedQueue<>(devices);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    DemoDevice d;
                    while ((d = queue.poll()) != null) {
                        HttpResponse<String> r = d.requestAssignment(http, api, SCOPE, Clock.systemUTC().instant(),
                                fault);
                        wave.record(d, r);
                        bar.step();
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
        bar.finish();
        wave.seconds = (System.nanoTime() - start) / 1e9;
        return wave;
    }

    private static String problemType(String body) {
        Matcher m = PROBLEM_TYPE.matcher(body);
        return m.find() ? m.group(1) : "(no problem type)";
    }

    /** What happened to the devices of one wave of requests. */
    private static final class Wave {
        final AtomicLong assigned = new AtomicLong();
        final AtomicLong sticky = new AtomicLong();
        final ConcurrentLinkedQueue<DemoDevice> deferred = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> retryAfters = new ConcurrentLinkedQueue<>();
        final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
        volatile double seconds;

        void record(DemoDevice device, HttpResponse<String> response) {
            switch (response.statusCode()) {
                case 201 -> assigned.incrementAndGet();
                case 200 -> sticky.incrementAndGet();
                case 429 -> {
                    deferred.add(device);
                    response.headers().firstValueAsLong("Retry-After").ifPresent(retryAfters::add);
                }
                default -> refused.computeIfAbsent(response.statusCode() + " " + problemType(response.body()),
                        k -> new AtomicLong()).incrementAndGet();
            }
        }

        List<DemoDevice> deferred() {
            return new ArrayList<>(deferred);
        }

        void print(PrintStream out) {
            long total = assigned.get() + sticky.get() + deferred.size()
                    + refused.values().stream().mapToLong(AtomicLong::get).sum();
            out.printf("  %,d newly assigned, %,d already assigned, %,d deferred (429 + Retry-After), %,d refused"
                    + "  |  %,.0f requests/s%n", assigned.get(), sticky.get(), deferred.size(),
                    total - assigned.get() - sticky.get() - deferred.size(), total / Math.max(seconds, 1e-9));
            if (!retryAfters.isEmpty()) {
                out.printf("  Retry-After spread over %d to %d s, so deferred devices come back staggered%n",
                        retryAfters.stream().mapToLong(Long::longValue).min().orElse(0),
                        retryAfters.stream().mapToLong(Long::longValue).max().orElse(0));
            }
            refused.forEach((k, v) -> out.printf("    refused %s: %,d%n", k, v.get()));
        }
    }
}
