package io.multiscope.examples;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.ProvisioningStats;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.allocation.Allocators;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.device.SimulatedFleetTime;
import io.multiscope.device.DeviceProvisioner;
import io.multiscope.device.FileStateStore;
import io.multiscope.device.ProvisioningEvent;
import io.multiscope.device.ProvisioningEvent.Step;
import io.multiscope.device.ProvisioningListener;
import io.multiscope.device.ProvisioningResult;
import io.multiscope.device.RetryBudget;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EmulatedDpsInstance;
import io.multiscope.testkit.TestCertificates;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The device side of the demo: a fleet of devices, each running {@link DeviceProvisioner} with the real Azure DPS
 * device SDK, boots through the provisioning API (pattern 1) and the testkit DPS emulator over real HTTPS; then every
 * device reboots and finds its assignment in its state file, making no DPS registration at all; then a second fleet
 * meets a small DPS quota and goes through deferrals (429 + Retry-After) and retries until every device is
 * provisioned. Quotas, stagger and waits run in simulated time, so minutes pass in seconds.
 *
 * <pre>{@code DeviceFleetDemo.run(System.out, 300);}</pre>
 * or on its own:
 * <pre>java -cp 'examples/target/multiscope-examples.jar:examples/target/lib/*' io.multiscope.examples.DeviceFleetDemo [--devices N]</pre>
 */
public final class DeviceFleetDemo {

    /** The numbers the demo showed, for callers that want to check them. */
    public record Report(int devices, long firstBootRegistrations, long rebootRegistrations, long rebootApiCalls,
            long rebootStored, long smallQuotaProvisioned, long deferrals, long dpsThrottled, int maxAttempts) {
    }

    private static final int SMALL_QUOTA_PER_MINUTE = 60;
    private static final Duration STAGGER = Duration.ofSeconds(30);

    private final PrintStream out;
    private final int devices;
    private final String groupKey;
    private final TestCertificates pki = TestCertificates.shared();

    private DeviceFleetDemo(PrintStream out, int devices) {
        this.out = out;
        this.devices = devices;
        byte[] key = new byte[32];
        new Random(11).nextBytes(key);
        this.groupKey = Base64.getEncoder().encodeToString(key);
    }

    /**
     * Runs the whole device demo, printing to {@code out}.
     *
     * @param devices fleet size for each part (1 to 20,000); a few hundred show everything in well under a minute
     */
    public static Report run(PrintStream out, int devices) throws Exception {
        if (devices < 1 || devices > 20_000) {
            throw new IllegalArgumentException("devices must be 1 to 20,000, was " + devices);
        }
        DemoSupport.quietLogging();
        return new DeviceFleetDemo(out, devices).run();
    }

    public static void main(String[] args) throws Exception {
        int devices = 300;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--devices") && i + 1 < args.length) {
                devices = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: DeviceFleetDemo [--devices N]");
                System.exit(2);
            }
        }
        run(System.out, devices);
    }

    private Report run() throws Exception {
        Path stateDir = Files.createTempDirectory("multiscope-device-states");
        try {
            out.printf("Multiscope device client: %,d devices boot with DeviceProvisioner (real Azure SDK, real HTTPS)%n%n",
                    devices);
            long[] boot = bootAndReboot(stateDir);
            long[] storm = smallQuota(stateDir);
            return new Report(devices, boot[0], boot[1], boot[2], boot[3], storm[0], storm[1], storm[2],
                    (int) storm[3]);
        } finally {
            DemoSupport.deleteTree(stateDir);
        }
    }

    /** Part 1: first boot through the provisioning API, then a reboot that needs no network. */
    private long[] bootAndReboot(Path stateDir) throws Exception {
        SimulatedFleetTime time = new SimulatedFleetTime(Instant.now().truncatedTo(ChronoUnit.SECONDS),
                Duration.ofSeconds(1));
        try (DpsEmulator dps = DpsEmulator.builder().instantAssignment(true).clock(time).certificates(pki)
                .instance("dps-eu-1", i -> i.idScope("0ne0001A1B2").linkedHub("hub-eu-1.azure-devices.net"))
                .instance("dps-us-1", i -> i.idScope("0ne0003C4D5").linkedHub("hub-us-1.azure-devices.net"))
                .start()) {
            enroll(dps);
            ZeroTouchProvisioning service = service(dps, time, DpsInstance.DEFAULT_REGISTRATIONS_PER_MINUTE);
            try (ProvisioningHttpServer api = server(service)) {
                out.printf("Provisioning API %s; DPS emulator %s with dps-eu-1 (westeurope) and dps-us-1 (eastus)%n",
                        api.uri(), dps.deviceEndpoint());
                Fleet first = new Fleet("sensor");
                long wall = System.nanoTime();
                Instant start = time.instant();
                List<ProvisioningResult> results = boot(time, first, api.uri(), stateDir, "First boot ");
                long provisioned = results.stream().filter(ProvisioningResult::isProvisioned).count();
                long registrations = registrations(dps);
                out.printf("  %,d of %,d provisioned in %s of simulated time (%.1f s real), each after a random "
                        + "stagger of up to %d s%n", provisioned, devices, DemoSupport.clock(Duration.between(start,
                        time.instant())), (System.nanoTime() - wall) / 1e9, STAGGER.getSeconds());
                for (EmulatedDpsInstance i : dps.instances()) {
                    out.printf("  %-9s %,6d DPS registrations  hubs %s%n", i.name(), i.counters().registrations(),
                            i.assignedDevicesPerHub());
                }

                long apiBefore = apiCalls(service);
                out.printf("%nEvery device reboots: DeviceProvisioner reads its state file first%n");
                Fleet rebooted = new Fleet("sensor");
                List<ProvisioningResult> again = boot(time, rebooted, api.uri(), stateDir, "Reboot     ");
                long stored = again.stream().filter(r -> r.source().orElse(null) == ProvisioningResult.Source.STORED)
                        .count();
                long rebootRegistrations = registrations(dps) - registrations;
                long rebootApi = apiCalls(service) - apiBefore;
                out.printf("  %,d of %,d from their state files; DPS registrations during the reboot: %,d; "
                        + "provisioning API calls: %,d; waits: %,d%n%n", stored, devices, rebootRegistrations,
                        rebootApi, rebooted.waits.get());
                return new long[] {registrations, rebootRegistrations, rebootApi, stored};
            }
        }
    }

    /** Part 2: a fresh fleet against one instance with a small DPS quota. */
    private long[] smallQuota(Path stateDir) throws Exception {
        SimulatedFleetTime time = new SimulatedFleetTime(Instant.now().truncatedTo(ChronoUnit.SECONDS),
                Duration.ofSeconds(1));
        try (DpsEmulator dps = DpsEmulator.builder().instantAssignment(true).clock(time).certificates(pki)
                .instance("dps-eu-1", i -> i.idScope("0ne0001A1B2").linkedHub("hub-eu-1.azure-devices.net")
                        .registrationsPerMinute(SMALL_QUOTA_PER_MINUTE))
                .start()) {
            enroll(dps);
            ZeroTouchProvisioning service = service(dps, time, SMALL_QUOTA_PER_MINUTE);
            try (ProvisioningHttpServer api = server(service)) {
                out.printf("A new fleet of %,d meets a DPS instance that takes only %d registrations a minute%n",
                        devices, SMALL_QUOTA_PER_MINUTE);
                Fleet fleet = new Fleet("meter");
                long wall = System.nanoTime();
                Instant start = time.instant();
                List<ProvisioningResult> results = boot(time, fleet, api.uri(), stateDir, "Small quota");
                long provisioned = results.stream().filter(ProvisioningResult::isProvisioned).count();
                EmulatedDpsInstance instance = dps.instance("dps-eu-1");
                out.printf("  %,d of %,d provisioned in %s of simulated time (%.1f s real)%n", provisioned, devices,
                        DemoSupport.clock(Duration.between(start, time.instant())), (System.nanoTime() - wall) / 1e9);
                out.printf("  %,d deferrals by the provisioning API (429 + Retry-After %s), each waited out and "
                        + "retried%n", fleet.deferrals.get(), fleet.retryAfterRange());
                out.printf("  %,d DPS registrations, %,d of them throttled by DPS (429); most attempts by one "
                        + "device: %d of %d allowed%n", instance.counters().registrations(), fleet.dpsThrottled.get(),
                        fleet.maxAttempts(), RetryBudget.firstProvisioning().maxAttempts());
                return new long[] {provisioned, fleet.deferrals.get(), fleet.dpsThrottled.get(), fleet.maxAttempts()};
            }
        }
    }

    private List<ProvisioningResult> boot(SimulatedFleetTime time, Fleet fleet, URI api, Path stateDir, String label)
            throws Exception {
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < devices; n++) {
            ids.add(String.format("%s-%05d", fleet.prefix, n));
        }
        return DemoFleet.run(out, time, label, ids, id -> {
            int n = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
            String region = n % 5 < 3 ? "westeurope" : "eastus";
            long seed = new SplittableRandom(id.hashCode()).nextLong();
            // What an OEM's firmware does at boot; the key was derived from the group key at the factory.
            DeviceProvisioner device = DeviceProvisioner.builder()
                    .provisioningApi(api)
                    .symmetricKey(id, SasToken.deriveDeviceKey(groupKey, id))
                    .region(fleet.prefix.equals("sensor") ? region : "westeurope")
                    .stateStore(FileStateStore.at(stateDir.resolve(id + ".json")))
                    .trustedCas(List.of(pki.caCertificate())).includeSystemCas(false)
                    .staggerWindow(STAGGER)
                    .clock(time).sleeper(time).random(new Random(seed))
                    .listener(fleet.listener())
                    .build();
            return device.ensureProvisioned();
        });
    }

    private void enroll(DpsEmulator dps) {
        for (EmulatedDpsInstance i : dps.instances()) {
            i.createSymmetricKeyGroup("fleet", groupKey);
        }
    }

    private ZeroTouchProvisioning service(DpsEmulator dps, SimulatedFleetTime time, int perMinute) {
        ZeroTouchProvisioning.Builder b = ZeroTouchProvisioning.builder().clock(time)
                .ticker(() -> time.instant().getEpochSecond() * 1_000_000_000L + time.instant().getNano())
                .strategy(Allocators.regionAffinity().then(Allocators.leastUtilised()))
                .attestation(SymmetricKeyAttestation.builder().groupKey(groupKey).clock(time).build())
                // Planned with DPS's own quota. A five-second burst lets a token wait for a device that comes back
                // a little after its slot, and keeps every minute within the quota plus five seconds' worth.
                .admission(AdmissionControl.builder().clock(time).burst(Duration.ofSeconds(5)).build());
        for (EmulatedDpsInstance i : dps.instances()) {
            b.instance(DpsInstance.builder(i.name()).idScope(i.idScope()).globalEndpoint(dps.deviceEndpoint())
                    .region(i.name().contains("-us-") ? "eastus" : "westeurope").registrationsPerMinute(perMinute)
                    .build());
        }
        return b.build();
    }

    private ProvisioningHttpServer server(ZeroTouchProvisioning service) {
        try {
            return ProvisioningHttpServer.https(ProvisioningApi.of(service), pki.serverKeyManagers(List.of()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long registrations(DpsEmulator dps) {
        return dps.instances().stream().mapToLong(i -> i.counters().registrations()).sum();
    }

    private static long apiCalls(ZeroTouchProvisioning service) {
        ProvisioningStats s = service.stats();
        return s.newAssignments() + s.stickyHits() + s.cacheHits() + s.deferrals() + s.rejections();
    }

    /** Counts what a fleet's devices report through their listeners. */
    private static final class Fleet {
        final String prefix;
        final AtomicLong deferrals = new AtomicLong();
        final AtomicLong dpsThrottled = new AtomicLong();
        final AtomicLong waits = new AtomicLong();
        final AtomicLong minRetryAfter = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong maxRetryAfter = new AtomicLong();
        final AtomicInteger maxAttempts = new AtomicInteger();

        Fleet(String prefix) {
            this.prefix = prefix;
        }

        ProvisioningListener listener() {
            return this::record;
        }

        private void record(ProvisioningEvent e) {
            switch (e.type()) {
                case STAGGER, RETRY_SCHEDULED, OFFLINE -> waits.incrementAndGet();
                case ATTEMPT_FAILED -> {
                    if (e.status().orElse(0) == 429 && e.step().orElse(null) == Step.DPS_REGISTER) {
                        dpsThrottled.incrementAndGet();
                    } else if (e.status().orElse(0) == 429) {
                        deferrals.incrementAndGet();
                        e.retryAfter().ifPresent(ra -> {
                            minRetryAfter.accumulateAndGet(ra.getSeconds(), Math::min);
                            maxRetryAfter.accumulateAndGet(ra.getSeconds(), Math::max);
                        });
                    }
                }
                case PROVISIONED, GAVE_UP -> maxAttempts.accumulateAndGet(e.attempt(), Math::max);
                default -> {
                }
            }
        }

        int maxAttempts() {
            return maxAttempts.get();
        }

        String retryAfterRange() {
            return deferrals.get() == 0 ? "none" : minRetryAfter.get() + " to " + maxRetryAfter.get() + " s";
        }
    }
}
