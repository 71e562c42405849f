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
 * <p>{@code --pattern redirect} runs pattern 3, transfer of ownership through a factory DPS ({@link RedirectDemo}),
 * and {@code --pattern low-touch} pattern 4, installers claiming devices ({@link LowTouchDemo}).
 *
 * <pre>java -jar examples/target/multiscope-examples.jar [--pattern zero-touch|proxy|redirect|low-touch]
 *     [--devices N] [--threads N] [--store h2|memory] [--booting-devices N]   (--help says which apply)</pre>
 */
public final class Demo {

    private static final String SCOPE = "multiscope";

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

    /** The command line, checked. */
    record Options(String pattern, int devices, int threads, String store, int bootingDevices) {
    }

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar multiscope-examples.jar [--pattern zero-touch|proxy|redirect|low-touch] [--devices N]"
                    + " [options]",
            "  --pattern zero-touch  (default) pattern 1: the provisioning API answers where each device goes;",
            "                        --devices N (default 3000), --threads N (16), --store h2|memory (h2),",
            "                        --booting-devices 0-20000 (300; devices booting with the device client)",
            "  --pattern proxy       pattern 2: the API registers devices with DPS itself;",
            "                        --devices 1-10000 (default 3000), --threads N (16)",
            "  --pattern redirect    pattern 3: a factory DPS redirects devices to their owner's DPS, then a transfer",
            "                        of ownership; --devices 1-" + RedirectDemo.MAX_DEVICES + " (default "
                    + RedirectDemo.DEFAULT_DEVICES + ")",
            "  --pattern low-touch   pattern 4: installers claim devices with the code on their label and hand",
            "                        them a signed bundle; --devices 1-" + LowTouchDemo.MAX_DEVICES + " (default "
                    + LowTouchDemo.DEFAULT_DEVICES + ")");

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + " (try --help)");
            System.exit(2);
            return;
        }
        switch (o.pattern()) {
            case "zero-touch" -> new Demo(o.devices(), o.threads(), o.store(), o.bootingDevices(), System.out).run();
            case "proxy" -> ProxyDemo.run(System.out, o.devices(), o.threads());
            case "redirect" -> RedirectDemo.run(System.out, o.devices());
            case "low-touch" -> LowTouchDemo.run(System.out, o.devices());
            default -> throw new IllegalStateException("not reached: " + o.pattern());
        }
    }

    /**
     * Reads the command line; an option that does not apply to the chosen pattern is an error rather than silently
     * ignored.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static Options parse(String... args) {
        Map<String, String> given = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!List.of("--devices", "--threads", "--store", "--pattern", "--booting-devices").contains(option)) {
                throw new IllegalArgumentException("unknown option " + option);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            if (given.put(option, args[++i]) != null) {
                throw new IllegalArgumentException(option + " is given twice");
            }
        }
        String pattern = given.getOrDefault("--pattern", "zero-touch");
        List<String> applicable = switch (pattern) {
            case "zero-touch" -> List.of("--devices", "--threads", "--store", "--booting-devices");
            case "proxy" -> List.of("--devices", "--threads");
            case "redirect", "low-touch" -> List.of("--devices");
            default -> throw new IllegalArgumentException("--pattern must be zero-touch, proxy, redirect or "
                    + "low-touch, not '" + pattern + "'");
        };
        for (String option : given.keySet()) {
            if (!option.equals("--pattern") && !applicable.contains(option)) {
                throw new IllegalArgumentException(option + " does not apply to --pattern " + pattern);
            }
        }
        int maxDevices = switch (pattern) {
            case "proxy" -> 10_000;
            case "redirect" -> RedirectDemo.MAX_DEVICES;
            case "low-touch" -> LowTouchDemo.MAX_DEVICES;
            default -> Integer.MAX_VALUE;
        };
        int defaultDevices = switch (pattern) {
            case "redirect" -> RedirectDemo.DEFAULT_DEVICES;
            case "low-touch" -> LowTouchDemo.DEFAULT_DEVICES;
            default -> 3_000;
        };
        int devices = number(given, "--devices", defaultDevices, 1, maxDevices);
        int threads = number(given, "--threads", 16, 1, pattern.equals("proxy") ? 256 : 1_024);
        int booting = number(given, "--booting-devices", 300, 0, 20_000);
        String store = given.getOrDefault("--store", "h2");
        if (!store.equals("h2") && !store.equals("memory")) {
            throw new IllegalArgumentException("--store must be h2 or memory, not '" + store + "'");
        }
        return new Options(pattern, devices, threads, store, booting);
    }

    private static int number(Map<String, String> given, String option, int defaultValue, int min, int max) {
        String text = given.get(option);
        if (text == null) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, not '" + text + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be " + String.format("%,d", min) + " to "
                    + String.format("%,d", max) + ", not " + value);
        }
        return value;
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
                refusals.put(fault.name(), r.statusCode() + " " + DemoSupport.problemType(r.body()));
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
                default -> refused.computeIfAbsent(response.statusCode() + " "
                        + DemoSupport.problemType(response.body()), k -> new AtomicLong()).incrementAndGet();
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
