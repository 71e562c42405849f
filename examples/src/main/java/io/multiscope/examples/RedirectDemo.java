package io.multiscope.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multiscope.core.AssignmentState;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.RedirectProvisioning;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.http.AdminAuthenticator;
import io.multiscope.core.http.FunctionKeys;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.device.DeviceProvisioner;
import io.multiscope.device.FileStateStore;
import io.multiscope.device.ProvisioningEvent;
import io.multiscope.device.ProvisioningListener;
import io.multiscope.device.ProvisioningResult;
import io.multiscope.device.SimulatedFleetTime;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EmulatedDpsInstance;
import io.multiscope.testkit.EnrollmentSpec;
import io.multiscope.testkit.RegistrationView;
import io.multiscope.testkit.ServiceClientRouting;
import io.multiscope.testkit.TestCertificates;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Pattern 3, transfer of ownership through a factory DPS, end to end on one machine: every device leaves the factory
 * configured for the vendor's factory DPS only; that DPS's enrollment group calls Multiscope's custom allocation
 * webhook (with a function key), which answers with a staging hub and a redirect to the DPS of the device's current
 * owner. Owner acme has two DPS instances (the strategy spreads its devices over them), owner globex one.
 *
 * <p>Real parts throughout: the testkit DPS emulator, the webhook and the admin API over real HTTPS,
 * {@link DeviceProvisioner} devices registering through the real Azure SDK and following the redirect, the old
 * registrations deleted through the real DPS service client. Device waits (stagger) and the transfer rate limit run
 * in simulated time, so minutes pass in seconds.
 *
 * <pre>java -jar examples/target/multiscope-examples.jar --pattern redirect [--devices N]</pre>
 * or from another program: {@code RedirectDemo.run(System.out, 200)}.
 */
public final class RedirectDemo {

    /**
     * The figures the demo showed, for callers that want to check them.
     *
     * @param registrationsBefore assigned DPS registrations per instance after the first boot
     * @param registrationsAfter the same after the transfer and the transferred devices' reprovisioning
     * @param inventoryAfter the inventory's device count per instance at the end
     * @param transferTime how long the bulk transfer took in simulated time, paced by the transfer budget
     * @param pendingAfterTransfer transferred devices marked {@code REPROVISION_PENDING} before they reprovisioned
     * @param pendingAtEnd devices still marked for reprovisioning at the end
     * @param followedToNewOwner transferred devices whose reprovisioning ended on the new owner's DPS
     * @param historyFrom the first history entry of the device whose ownership was shown: {@code owner/instance}
     * @param loopRefused whether the device refused a redirect loop ({@code REDIRECT_REFUSED}, "loop")
     * @param loopKeptLastGood whether it kept its previous result after refusing
     */
    public record Report(int devices, long provisioned, long redirectedFromFactory, long stagedAtFactory,
            Map<String, Long> registrationsBefore, long rebootStored, long rebootDpsRequests, int forgedWebhookStatus,
            String forgedWebhookProblem, int transferRequested, long transferred, long cleanupsDeleted,
            long cleanupsPending, int transfersPerMinute, Duration transferTime, long pendingAfterTransfer,
            long followedToNewOwner, long pendingAtEnd, Map<String, Long> registrationsAfter,
            Map<String, Long> inventoryAfter, int historyEntries, String historyFrom, String historyTo,
            boolean loopRefused, boolean loopKeptLastGood) {
    }

    /** A few hundred devices show everything in a few seconds. */
    public static final int DEFAULT_DEVICES = 200;
    /** Each device is a thread and two or three SDK registrations; beyond this the demo only gets slower. */
    public static final int MAX_DEVICES = 2_000;

    static final String FACTORY = "dps-factory";
    static final String ACME_EU = "dps-acme-eu";
    static final String ACME_US = "dps-acme-us";
    static final String GLOBEX = "dps-globex";
    static final String FACTORY_SCOPE = "0ne000FAC70";
    static final String STAGING_HUB = "hub-staging.azure-devices.net";
    /** Every fourth device is sold on to globex. */
    static final int TRANSFER_EVERY = 4;
    static final int TRANSFERS_PER_MINUTE = 60;
    /** One POST /v1/transfers takes at most 1,000 devices. */
    private static final int TRANSFER_CHUNK = 500;
    private static final String ADMIN_TOKEN = "demo-admin-token-not-for-production";
    private static final String ACTOR = "ops@vendor.example";
    private static final Duration STAGGER = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where each target instance is and whom it serves. */
    private record Target(String name, String idScope, String hub, String region, String owner) {
    }

    private static final List<Target> TARGETS = List.of(
            new Target(ACME_EU, "0ne000AC3E1", "hub-acme-eu.azure-devices.net", "westeurope", "acme"),
            new Target(ACME_US, "0ne000AC3E2", "hub-acme-us.azure-devices.net", "eastus", "acme"),
            new Target(GLOBEX, "0ne0006B0E1", "hub-globex.azure-devices.net", "westeurope", "globex"));

    private final PrintStream out;
    private final int devices;
    /** The vendor's enrollment group key; each device carries only the key derived from it for its own id. */
    private final String groupKey = DemoSupport.demoKey(31);
    private final String functionKey = "fk-" + DemoSupport.demoKey(37).replace('+', '-').replace('/', '_')
            .replace("=", "");
    private final TestCertificates pki = TestCertificates.shared();

    private RedirectDemo(PrintStream out, int devices) {
        this.out = out;
        this.devices = devices;
    }

    /**
     * Runs the demo and prints its narrative to {@code out}.
     *
     * @param devices fleet size, 1 to {@value #MAX_DEVICES}
     */
    public static Report run(PrintStream out, int devices) throws Exception {
        if (devices < 1 || devices > MAX_DEVICES) {
            throw new IllegalArgumentException("devices must be 1 to " + MAX_DEVICES + ", was " + devices);
        }
        // Each transfer and each deleted registration is logged at INFO; the demo prints its own summary.
        DemoSupport.quietLogging("io.multiscope.core.RedirectProvisioning");
        // The JDK HTTP server writes headers and body separately; without this each exchange waits for a delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        return new RedirectDemo(out, devices).run();
    }

    @SuppressWarnings("try") // the routing is only held open for the duration of the demo
    private Report run() throws Exception {
        Path stateDir = Files.createTempDirectory("multiscope-redirect-demo");
        SimulatedFleetTime time = new SimulatedFleetTime(Instant.now().truncatedTo(ChronoUnit.SECONDS),
                Duration.ofSeconds(1));
        // The service's own time (transfer budget, history timestamps), virtual so the rate limit costs no real time.
        VirtualClock serviceTime = VirtualClock.startingAt(time.instant());
        DpsEmulator.Builder emulator = DpsEmulator.builder().instantAssignment(true).clock(time).certificates(pki)
                .instance(FACTORY, i -> i.idScope(FACTORY_SCOPE).linkedHub(STAGING_HUB));
        TARGETS.forEach(t -> emulator.instance(t.name(), i -> i.idScope(t.idScope()).linkedHub(t.hub())));
        try (DpsEmulator dps = emulator.start();
                // Old registrations are deleted through the real DPS service client, which only dials port 443.
                ServiceClientRouting routing = ServiceClientRouting.install(dps)) {
            InMemoryInventoryStore store = new InMemoryInventoryStore(serviceTime);
            RedirectProvisioning.Builder builder = RedirectProvisioning.builder().store(store).clock(serviceTime)
                    .ticker(serviceTime).sleeper(serviceTime).snapshotInterval(Duration.ZERO)
                    .transfersPerMinute(TRANSFERS_PER_MINUTE);
            for (Target t : TARGETS) {
                builder.instance(DpsInstance.builder(t.name()).idScope(t.idScope())
                        .globalEndpoint(dps.deviceEndpoint()).region(t.region()).tenantPool(t.owner()).build(),
                        DpsCredentials.builder(t.name()).enrollmentGroup("devices").groupKey(groupKey)
                                .serviceConnectionString(dps.instance(t.name()).serviceConnectionString()).build());
            }
            RedirectProvisioning redirect = builder.build();
            ProvisioningApi api = ProvisioningApi.builder().redirect(redirect, FunctionKeys.of(functionKey))
                    .admin(AdminAuthenticator.bearerToken(ADMIN_TOKEN)).build();
            try (ProvisioningHttpServer server = ProvisioningHttpServer.https(api, pki.serverKeyManagers(List.of()))
                    .threads(8).start()) {
                URI webhook = URI.create(server.uri() + "/v1/dps/allocations?code=" + functionKey);
                // The factory DPS's one enrollment group asks the webhook where each device goes. Every owner's DPS
                // enrols the fleet with the vendor's group key, so the key flashed at the factory works wherever a
                // device is sent (with X.509 devices, each owner's DPS would trust the vendor's CA instead).
                dps.instance(FACTORY).putEnrollment(EnrollmentSpec.group("factory").symmetricKey(groupKey)
                        .customAllocation(webhook).build());
                for (Target t : TARGETS) {
                    dps.instance(t.name()).putEnrollment(EnrollmentSpec.group("devices").symmetricKey(groupKey)
                            .build());
                }
                Run run = new Run(dps, redirect, store, server.uri(), webhook, time, serviceTime, stateDir);
                return run.all();
            }
        } finally {
            DemoSupport.deleteTree(stateDir);
        }
    }

    /** One run of the demo, with everything it set up. */
    private final class Run {
        final DpsEmulator dps;
        final RedirectProvisioning redirect;
        final InMemoryInventoryStore store;
        final URI api;
        final URI webhook;
        final SimulatedFleetTime time;
        final VirtualClock serviceTime;
        final Path stateDir;
        final HttpClient http;
        final List<String> fleet = new ArrayList<>();
        final AtomicLong redirects = new AtomicLong();

        Run(DpsEmulator dps, RedirectProvisioning redirect, InMemoryInventoryStore store, URI api, URI webhook,
                SimulatedFleetTime time, VirtualClock serviceTime, Path stateDir) {
            this.dps = dps;
            this.redirect = redirect;
            this.store = store;
            this.api = api;
            this.webhook = webhook;
            this.time = time;
            this.serviceTime = serviceTime;
            this.stateDir = stateDir;
            this.http = DemoSupport.httpClient(dps.clientSslContext());
        }

        Report all() throws Exception {
            out.printf("Multiscope demo: transfer of ownership through a factory DPS (pattern 3)%n");
            out.printf("DPS emulator %s: %s (the vendor's, custom allocation -> webhook with a function key), "
                    + "%s and %s (owner acme), %s (owner globex)%n", dps.deviceEndpoint(), FACTORY, ACME_EU,
                    ACME_US, GLOBEX);
            out.printf("Webhook and admin API on %s; devices burn in only the factory DPS's ID scope %s%n%n", api,
                    FACTORY_SCOPE);

            for (int n = 0; n < devices; n++) {
                String id = String.format("sensor-%05d", n);
                fleet.add(id);
                redirect.store().ownership().register(NewOwnership.of(id, "acme"));
            }
            out.printf("The vendor sells %,d devices to acme: %,d entries in the ownership registry%n", devices,
                    devices);

            // ---- first boot ----
            long wall = System.nanoTime();
            Instant start = time.instant();
            List<ProvisioningResult> first = fleet("First boot  ", fleet, DeviceProvisioner::ensureProvisioned);
            long provisioned = first.stream().filter(ProvisioningResult::isProvisioned).count();
            long redirected = first.stream().filter(r -> r.isProvisioned() && r.redirectedFrom()
                    .equals(List.of(dps.deviceEndpoint() + "/" + FACTORY_SCOPE))).count();
            out.printf("  %,d of %,d provisioned in %s of simulated time (%.1f s real); %,d followed a redirect "
                    + "from %s%n", provisioned, devices, DemoSupport.clock(Duration.between(start, time.instant())),
                    (System.nanoTime() - wall) / 1e9, redirects.get(), FACTORY);
            Map<String, Long> before = DemoFleet.assignedRegistrations(dps);
            table();
            out.printf("  the allocation strategy (least utilised, by default) chose one of acme's two instances for "
                    + "each device; the factory DPS only staged them%n");
            long staged = dps.instance(FACTORY).assignedDevicesPerHub().getOrDefault(STAGING_HUB, 0L);
            ProvisioningResult sample = first.get(0);
            String sampleId = fleet.get(0);
            out.printf("%n  %s: hub %s, registered at %s, redirectedFrom %s%n", sampleId, sample.assignedHub(),
                    sample.globalEndpoint() + "/" + sample.idScope(), sample.redirectedFrom());
            out.printf("  its registration on %s (staging hub %s) carries the redirect: %s%n", FACTORY,
                    dps.instance(FACTORY).registration(sampleId).map(RegistrationView::assignedHub).orElse("-"),
                    dps.instance(FACTORY).registration(sampleId).map(RegistrationView::payloadJson).orElse("-"));

            // ---- reboot ----
            long requestsBefore = DemoFleet.requests(dps);
            List<ProvisioningResult> reboot = fleet("Reboot      ", fleet, DeviceProvisioner::ensureProvisioned);
            long stored = reboot.stream().filter(r -> r.source().orElse(null) == ProvisioningResult.Source.STORED)
                    .count();
            long rebootRequests = DemoFleet.requests(dps) - requestsBefore;
            out.printf("  every device reboots: %,d of %,d from their state files, DPS requests: %,d%n%n", stored,
                    devices, rebootRequests);

            // ---- a forged webhook call ----
            HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(api
                    + "/v1/dps/allocations?code=guessed-function-key-0000")).header("Content-Type",
                    "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"deviceRuntimeContext\":"
                    + "{\"registrationId\":\"" + sampleId + "\"},\"linkedHubs\":[\"" + STAGING_HUB + "\"]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            String forgedProblem = DemoSupport.problemType(forged.body());
            out.printf("Someone who knows the webhook URL but not the function key calls it: %d %s; nothing "
                    + "recorded%n%n", forged.statusCode(), forgedProblem);

            // ---- bulk transfer ----
            List<String> sold = new ArrayList<>();
            for (int n = 0; n < fleet.size(); n += TRANSFER_EVERY) {
                sold.add(fleet.get(n));
            }
            out.printf("acme sells %,d devices (every %dth) to globex; the vendor records it with POST /v1/transfers "
                    + "(admin API), rate-limited to %d transfers a minute%n", sold.size(), TRANSFER_EVERY,
                    redirect.transfersPerMinute());
            Instant transferStart = serviceTime.instant();
            long transferWall = System.nanoTime();
            Map<String, Long> outcome = new TreeMap<>();
            Map<String, Long> cleanups = new TreeMap<>();
            for (int from = 0; from < sold.size(); from += TRANSFER_CHUNK) {
                JsonNode report = transfer(sold.subList(from, Math.min(sold.size(), from + TRANSFER_CHUNK)));
                for (String field : List.of("transferred", "alreadyOwned", "unknownDevice", "failed",
                        "cleanupsPending")) {
                    outcome.merge(field, report.get(field).asLong(), Long::sum);
                }
                for (JsonNode r : report.get("results")) {
                    cleanups.merge(r.at("/cleanup/status").asText("NONE"), 1L, Long::sum);
                }
            }
            Duration transferTime = Duration.between(transferStart, serviceTime.instant());
            out.printf("  %,d transferred, %,d already owned, %,d unknown, %,d failed; cleanups on the old DPS: %s"
                    + "%n", outcome.get("transferred"), outcome.get("alreadyOwned"), outcome.get("unknownDevice"),
                    outcome.get("failed"), cleanups);
            out.printf("  the transfer budget spread them over %s of simulated time (%.1f s real)%n",
                    DemoSupport.clock(transferTime), (System.nanoTime() - transferWall) / 1e9);
            long pendingAfterTransfer = sold.stream().filter(this::pending).count();
            out.printf("  %,d of them marked REPROVISION_PENDING; the inventory counts them on %s already, acme's DPS "
                    + "instances no longer list them:%n", pendingAfterTransfer, GLOBEX);
            table();

            // ---- the transferred devices follow ----
            out.printf("%nA cloud-to-device command tells the sold devices to reprovision: each starts at the "
                    + "factory DPS again%n");
            String globexScope = dps.instance(GLOBEX).idScope();
            List<ProvisioningResult> moved = fleet("Reprovision ", sold,
                    d -> d.reprovision("hub command: ownership transferred"));
            long followed = moved.stream().filter(r -> r.isProvisioned() && r.idScope().equals(globexScope)).count();
            long pendingAtEnd = fleet.stream().filter(this::pending).count();
            out.printf("  %,d of %,d now on %s (hub %s); still pending: %,d%n", followed, sold.size(), GLOBEX,
                    moved.get(0).isProvisioned() ? moved.get(0).assignedHub() : "-", pendingAtEnd);
            Map<String, Long> after = DemoFleet.assignedRegistrations(dps);
            table();

            // ---- ownership history ----
            JsonNode ownership = admin(HttpRequest.newBuilder(URI.create(api + "/v1/devices/" + sampleId
                    + "/ownership")).GET());
            out.printf("%nGET /v1/devices/%s/ownership: owner %s, active instance %s, assignment %s%n", sampleId,
                    ownership.path("owner").asText(), ownership.path("activeInstanceId").asText(),
                    ownership.at("/assignment/state").asText());
            JsonNode history = ownership.path("history");
            for (JsonNode h : history) {
                out.printf("  #%d %s  %s (%s) -> %s (%s)  by %s%n", h.path("sequence").asInt(),
                        h.path("at").asText(), h.path("fromOwner").asText(), h.path("fromInstanceId").asText("-"),
                        h.path("toOwner").asText(), h.path("toInstanceId").asText("-"), h.path("actor").asText());
            }
            String historyFrom = history.isEmpty() ? "" : history.get(0).path("fromOwner").asText() + "/"
                    + history.get(0).path("fromInstanceId").asText();
            String historyTo = history.isEmpty() ? "" : history.get(0).path("toOwner").asText() + "/"
                    + history.get(0).path("toInstanceId").asText();

            // ---- a redirect loop ----
            boolean[] loop = redirectLoop(sold);

            Report report = new Report(devices, provisioned, redirected, staged, before, stored, rebootRequests,
                    forged.statusCode(), forgedProblem, sold.size(), outcome.get("transferred"),
                    cleanups.getOrDefault("DELETED", 0L), outcome.get("cleanupsPending"),
                    redirect.transfersPerMinute(), transferTime, pendingAfterTransfer, followed, pendingAtEnd, after,
                    store.assignedCounts(), history.size(), historyFrom, historyTo, loop[0], loop[1]);
            out.printf("%nSummary: %,d devices redirected from the factory DPS to their owner's; %,d sold on, %,d "
                    + "followed to globex's DPS; old registrations deleted: %,d%n", redirected, sold.size(),
                    followed, report.cleanupsDeleted());
            return report;
        }

        /**
         * An operator copies the factory's enrollment (custom allocation through the webhook) onto one device's
         * enrollment on acme's DPS: that DPS now redirects the device to itself. The device refuses the loop and keeps
         * its last good result.
         *
         * @return {refused as a loop, last good result kept}
         */
        private boolean[] redirectLoop(List<String> sold) throws Exception {
            Optional<String> victim = fleet.stream().filter(id -> !sold.contains(id)).findFirst();
            if (victim.isEmpty()) {
                out.printf("%n(A redirect loop needs a device that stayed with acme; run with --devices 2 or more)%n");
                return new boolean[] {false, false};
            }
            String id = victim.get();
            DeviceProvisioner device = device(id, e -> { });
            ProvisioningResult lastGood = device.current();
            EmulatedDpsInstance home = dps.instanceByIdScope(lastGood.idScope()).orElseThrow();
            home.putEnrollment(EnrollmentSpec.individual(id).symmetricKey(SasToken.deriveDeviceKey(groupKey, id))
                    .customAllocation(webhook).build());
            try {
                List<Throwable> errors = new ArrayList<>();
                ProvisioningResult refused = time.runAll(List.<Callable<ProvisioningResult>>of(
                        () -> device.reprovision("hub command")), errors)
                        .get(0);
                if (!errors.isEmpty()) {
                    throw new IllegalStateException("the device failed unexpectedly", errors.get(0));
                }
                boolean loop = refused.reason().orElse(null) == ProvisioningResult.Reason.REDIRECT_REFUSED
                        && refused.detail().contains("loop");
                boolean kept = device.current().equals(lastGood);
                out.printf("%nA misconfigured enrollment on %s points %s at the webhook too, which redirects it to "
                        + "%s itself:%n  the device refuses: %s%n  and keeps its last good state (%s): hub %s%n",
                        home.name(), id, home.name(), refused.detail(), kept ? "yes" : "NO",
                        device.current().isProvisioned() ? device.current().assignedHub() : "-");
                return new boolean[] {loop, kept};
            } finally {
                home.deleteEnrollment(id);
            }
        }

        private boolean pending(String id) {
            return redirect.assignment(id).map(DeviceAssignment::state).orElse(null)
                    == AssignmentState.REPROVISION_PENDING;
        }

        private JsonNode transfer(List<String> ids) throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("registrationIds", ids);
            body.put("newOwner", "globex");
            body.put("actor", ACTOR);
            return admin(HttpRequest.newBuilder(URI.create(api + "/v1/transfers"))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        }

        private JsonNode admin(HttpRequest.Builder request) throws Exception {
            HttpResponse<String> r = http.send(request.header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .header("Content-Type", "application/json").timeout(Duration.ofMinutes(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(r.request().method() + " " + r.request().uri().getPath() + ": "
                        + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        }

        private DeviceProvisioner device(String id, ProvisioningListener listener) {
            return DeviceProvisioner.builder()
                    .dps(dps.deviceEndpoint(), FACTORY_SCOPE) // all the device knows, burnt in at the factory
                    .symmetricKey(id, SasToken.deriveDeviceKey(groupKey, id))
                    .stateStore(FileStateStore.at(stateDir.resolve(id + ".json")))
                    .trustedCas(List.of(pki.caCertificate())).includeSystemCas(false)
                    .staggerWindow(STAGGER)
                    .clock(time).sleeper(time).random(new Random(new SplittableRandom(id.hashCode()).nextLong()))
                    .listener(listener)
                    .build();
        }

        private List<ProvisioningResult> fleet(String label, List<String> ids,
                Function<DeviceProvisioner, ProvisioningResult> action) throws Exception {
            ProvisioningListener listener = e -> {
                if (e.type() == ProvisioningEvent.Type.REDIRECTED) {
                    redirects.incrementAndGet();
                }
            };
            return DemoFleet.run(out, time, label, ids, id -> action.apply(device(id, listener)));
        }

        private void table() {
            Map<String, Long> inventory = store.assignedCounts();
            out.printf("  %-12s %-8s %-12s %9s %17s  %s%n", "DPS", "owner", "ID scope", "inventory",
                    "DPS registrations", "devices per hub (from DPS)");
            for (EmulatedDpsInstance i : dps.instances()) {
                String owner = TARGETS.stream().filter(t -> t.name().equals(i.name())).map(Target::owner)
                        .findFirst().orElse("(vendor)");
                long registered = i.registrations().stream().filter(RegistrationView::isAssigned).count();
                out.printf("  %-12s %-8s %-12s %9s %,17d  %s%n", i.name(), owner, i.idScope(),
                        inventory.containsKey(i.name()) ? String.format("%,d", inventory.get(i.name())) : "-",
                        registered, i.assignedDevicesPerHub());
            }
        }
    }
}
