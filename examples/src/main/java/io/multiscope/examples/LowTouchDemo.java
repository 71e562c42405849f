package io.multiscope.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.InstanceStatus;
import io.multiscope.core.ProxyProvisioningService;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.claims.BundleSigners;
import io.multiscope.core.claims.ClaimCodeGenerator;
import io.multiscope.core.claims.ClaimCodeHasher;
import io.multiscope.core.claims.ClaimCodeIssuer;
import io.multiscope.core.claims.ClaimService;
import io.multiscope.core.claims.HmacInstallerTokens;
import io.multiscope.core.claims.InstallerIdentity;
import io.multiscope.core.dps.AzureSdkDeviceGateway;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.device.DeviceProvisioner;
import io.multiscope.device.FileStateStore;
import io.multiscope.device.InvalidBundleException;
import io.multiscope.device.ProvisioningResult;
import io.multiscope.device.SimulatedFleetTime;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EmulatedDpsInstance;
import io.multiscope.testkit.EnrollmentSpec;
import io.multiscope.testkit.TestCertificates;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Pattern 4, low-touch provisioning, end to end on one machine: devices of two tenants (acme and globex) carry a
 * claim code on their label; installers sign in (an HMAC-signed bearer token from the tenant's identity service),
 * and their app claims each device over HTTPS with {@code POST /v1/claims}, receives a provisioning bundle signed with
 * a key only the service and that device hold, and hands it to the device locally. The device verifies it
 * ({@link DeviceProvisioner#applyBundle}) and registers with the DPS the bundle names. A few gateways go through the
 * proxy variant, where the service registers them with DPS itself and the bundle is the finished result. Then the
 * refusals an operator should expect to see.
 *
 * <p>Real parts throughout: the testkit DPS emulator, the claims API over real HTTPS, devices registering through the
 * real Azure SDK; device waits run in simulated time.
 *
 * <pre>java -jar examples/target/multiscope-examples.jar --pattern low-touch [--devices N]</pre>
 * or from another program: {@code LowTouchDemo.run(System.out, 100)}.
 */
public final class LowTouchDemo {

    /**
     * The figures the demo showed, for callers that want to check them.
     *
     * @param claimed devices of the fleet whose claim answered 200 with a bundle
     * @param onOwnersDps provisioned devices registered on their own tenant's DPS
     * @param registrationsPerDps assigned DPS registrations per instance after the fleet booted (direct variant)
     * @param proxyFromBundle proxy-variant devices provisioned by the bundle alone
     * @param proxyDeviceDpsRequests DPS requests the proxy-variant devices themselves made
     * @param otherTenantLooksUnknown whether the answer for another tenant's device equals the one for no device
     * @param bruteForceRefusedAt the attempt at which guessing was refused with 429
     * @param tamperedBundle why the device refused the altered bundle
     * @param genuineBundleProvisioned whether the unaltered bundle was then accepted and the device provisioned
     */
    public record Report(int devices, int installers, long claimed, long provisioned, long onOwnersDps,
            Map<String, Long> registrationsPerDps, long rebootStored, long rebootDpsRequests, int proxyDevices,
            long proxyFromBundle, long proxyRegisteredByService, long proxyDeviceDpsRequests, int reusedCodeStatus,
            int wrongCodeStatus, int otherTenantStatus, int unknownDeviceStatus, boolean otherTenantLooksUnknown,
            int bruteForceRefusedAt, long bruteForceRetryAfterSeconds, int expiredTokenStatus,
            int afterBruteForceStatus, InvalidBundleException.Reason tamperedBundle,
            boolean genuineBundleProvisioned) {
    }

    /** A hundred devices show everything in a few seconds. */
    public static final int DEFAULT_DEVICES = 100;
    /** Each device is a thread and an SDK registration, and the admission burst is 1,000 per DPS instance. */
    public static final int MAX_DEVICES = 1_000;
    /** Devices each installer claims on the job; the claims API allows 10 attempts a minute per installer. */
    static final int DEVICES_PER_INSTALLER = 8;
    static final int PROXY_DEVICES = 3;
    static final String ACME = "dps-acme";
    static final String GLOBEX = "dps-globex";
    private static final Duration STAGGER = Duration.ofSeconds(30);
    private static final String SPARE = "acme-th-spare-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final int devices;
    private final String groupKey = DemoSupport.demoKey(41);
    private final byte[] tokenKey = DemoSupport.demoKey(43).getBytes(StandardCharsets.US_ASCII);
    private final byte[] pepper = DemoSupport.demoKey(47).getBytes(StandardCharsets.US_ASCII);
    private final TestCertificates pki = TestCertificates.shared();

    private LowTouchDemo(PrintStream out, int devices) {
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
        // Each claim is logged at INFO; the demo prints its own summary.
        DemoSupport.quietLogging("io.multiscope.core.claims");
        System.setProperty("sun.net.httpserver.nodelay", "true");
        return new LowTouchDemo(out, devices).run();
    }

    private Report run() throws Exception {
        Path stateDir = Files.createTempDirectory("multiscope-low-touch-demo");
        SimulatedFleetTime time = new SimulatedFleetTime(Instant.now().truncatedTo(ChronoUnit.SECONDS),
                Duration.ofSeconds(1));
        try (DpsEmulator dps = DpsEmulator.builder().instantAssignment(true).clock(time).certificates(pki)
                .instance(ACME, i -> i.idScope("0ne000AC3E1").linkedHub("hub-acme.azure-devices.net"))
                .instance(GLOBEX, i -> i.idScope("0ne0006B0E1").linkedHub("hub-globex.azure-devices.net"))
                .start()) {
            for (EmulatedDpsInstance i : dps.instances()) {
                i.putEnrollment(EnrollmentSpec.group("devices").symmetricKey(groupKey).build());
            }
            // The claims service's time (tokens, codes, bundles, the per-installer rate limit) stands still, so the
            // rate limit answers the same on every run however fast the machine is.
            VirtualClock serviceTime = VirtualClock.startingAt(time.instant());
            // What the vendor's identity service and the claims API share; installers' apps only ever see tokens.
            HmacInstallerTokens tokens = HmacInstallerTokens.builder(tokenKey).issuer("https://id.vendor.example")
                    .audience("multiscope-claims").clock(serviceTime).build();
            ClaimCodeHasher hasher = ClaimCodeHasher.withPepper("2026-01", pepper);

            // Direct variant: the service picks the tenant's DPS instance, the device registers there itself.
            InMemoryInventoryStore store = new InMemoryInventoryStore();
            ZeroTouchProvisioning direct = ZeroTouchProvisioning.builder().store(store)
                    .instance(target(dps, ACME, "acme")).instance(target(dps, GLOBEX, "globex"))
                    .attestation(SymmetricKeyAttestation.withGroupKey(groupKey)).build();
            ClaimService claims = ClaimService.builder().installers(tokens).codeHasher(hasher)
                    .bundleSigner(BundleSigners.groupKey(groupKey)).direct(direct).clock(serviceTime).build();
            // Proxy variant: the service registers the device with DPS; the bundle carries hub and device id.
            InMemoryInventoryStore proxyStore = new InMemoryInventoryStore();
            ProxyProvisioningService.Builder proxyBuilder = ProxyProvisioningService.builder().store(proxyStore)
                    .attestation(SymmetricKeyAttestation.withGroupKey(groupKey))
                    .deviceGateway(AzureSdkDeviceGateway.builder().sslContext(dps.clientSslContext()).build());
            for (String name : List.of(ACME, GLOBEX)) {
                proxyBuilder.instance(target(dps, name, name.equals(ACME) ? "acme" : "globex"),
                        DpsCredentials.builder(name).enrollmentGroup("devices").groupKey(groupKey).build());
            }
            try (ProxyProvisioningService proxy = proxyBuilder.build();
                    ProvisioningHttpServer server = ProvisioningHttpServer.https(ProvisioningApi.builder(direct)
                            .claims(claims).build(), pki.serverKeyManagers(List.of())).threads(8).start();
                    ProvisioningHttpServer proxyServer = ProvisioningHttpServer.https(ProvisioningApi.builder(proxy)
                            .claims(ClaimService.builder().installers(tokens).codeHasher(hasher)
                                    .bundleSigner(BundleSigners.groupKey(groupKey)).proxy(proxy).clock(serviceTime)
                                    .build()).build(),
                            pki.serverKeyManagers(List.of())).threads(4).start()) {
                Run run = new Run(dps, time, serviceTime, stateDir, tokens, server.uri(), proxyServer.uri(), direct);
                run.issueCodes(ClaimCodeIssuer.builder(store.ownership(), hasher).validity(Duration.ofDays(365))
                        .clock(serviceTime).build(), ClaimCodeIssuer.builder(proxyStore.ownership(), hasher)
                        .validity(Duration.ofDays(365)).clock(serviceTime).build());
                return run.all();
            }
        } finally {
            DemoSupport.deleteTree(stateDir);
        }
    }

    private static DpsInstance target(DpsEmulator dps, String name, String tenant) {
        return DpsInstance.builder(name).idScope(dps.instance(name).idScope()).globalEndpoint(dps.deviceEndpoint())
                .region("westeurope").tenantPool(tenant).build();
    }

    /** One run of the demo, with everything it set up. */
    private final class Run {
        final DpsEmulator dps;
        final SimulatedFleetTime time;
        final VirtualClock serviceTime;
        final Path stateDir;
        final HmacInstallerTokens tokens;
        final URI api;
        final URI proxyApi;
        final ZeroTouchProvisioning direct;
        final HttpClient http;
        /** What is printed on each device's label, by registration id. */
        final Map<String, String> labels = new LinkedHashMap<>();
        final List<String> fleet = new ArrayList<>();
        final List<String> gateways = new ArrayList<>();

        Run(DpsEmulator dps, SimulatedFleetTime time, VirtualClock serviceTime, Path stateDir,
                HmacInstallerTokens tokens, URI api, URI proxyApi, ZeroTouchProvisioning direct) {
            this.dps = dps;
            this.time = time;
            this.serviceTime = serviceTime;
            this.stateDir = stateDir;
            this.tokens = tokens;
            this.api = api;
            this.proxyApi = proxyApi;
            this.direct = direct;
            this.http = DemoSupport.httpClient(dps.clientSslContext());
        }

        void issueCodes(ClaimCodeIssuer issuer, ClaimCodeIssuer proxyIssuer) {
            for (int n = 0; n < devices; n++) {
                String id = n % 5 < 3 ? String.format("acme-th-%05d", n) : String.format("globex-mt-%05d", n);
                fleet.add(id);
                labels.put(id, issuer.issue(id, tenant(id)).code());
            }
            labels.put(SPARE, issuer.issue(SPARE, "acme").code());
            for (int n = 1; n <= PROXY_DEVICES; n++) {
                String id = String.format("acme-gw-%04d", n);
                gateways.add(id);
                labels.put(id, proxyIssuer.issue(id, "acme").code());
            }
        }

        Report all() throws Exception {
            out.printf("Multiscope demo: low-touch provisioning by an installer app (pattern 4)%n");
            out.printf("Claims API %s (direct variant) and %s (proxy variant); DPS emulator %s with %s (tenant "
                    + "acme) and %s (tenant globex)%n%n", api, proxyApi, dps.deviceEndpoint(), ACME, GLOBEX);
            long acmeDevices = fleet.stream().filter(id -> tenant(id).equals("acme")).count();
            out.printf("Claim codes issued (only their peppered hashes are stored): %,d acme thermostats, %,d globex "
                    + "meters; e.g. the label of %s reads %s%n", acmeDevices, fleet.size() - acmeDevices,
                    fleet.get(0), labels.get(fleet.get(0)));

            // ---- the installers' day ----
            Map<String, InstallerApp> crew = new TreeMap<>();
            Map<String, InstallerApp> assigned = new LinkedHashMap<>();
            Map<String, Integer> perTenant = new TreeMap<>();
            for (String id : fleet) {
                String tenant = tenant(id);
                int nth = perTenant.merge(tenant, 1, Integer::sum) - 1;
                String name = String.format("%s-installer-%02d", tenant, nth / DEVICES_PER_INSTALLER + 1);
                assigned.put(id, crew.computeIfAbsent(name, k -> new InstallerApp(k, tenant, api)));
            }
            out.printf("%,d installers sign in (HS256 bearer tokens naming their tenant), %d devices each at most%n",
                    crew.size(), DEVICES_PER_INSTALLER);
            out.printf("Each app claims a device (POST /v1/claims with the code from the label), hands the bundle "
                    + "to the device, and the device boots%n");
            long wall = System.nanoTime();
            Instant start = time.instant();
            Map<String, Long> claimOutcomes = new TreeMap<>();
            AtomicReference<String> sampleBundle = new AtomicReference<>("(no bundle)");
            List<ProvisioningResult> results = DemoFleet.run(out, time, "Install", fleet, id -> {
                InstallerApp app = assigned.get(id);
                HttpResponse<String> claim = app.claim(id, labels.get(id));
                synchronized (claimOutcomes) {
                    claimOutcomes.merge(claim.statusCode() == 200 ? "200 bundle" : claim.statusCode() + " "
                            + DemoSupport.problemType(claim.body()), 1L, Long::sum);
                }
                if (claim.statusCode() != 200) {
                    return ProvisioningResult.UNPROVISIONED;
                }
                if (id.equals(fleet.get(0))) {
                    sampleBundle.set(claim.body());
                }
                DeviceProvisioner device = device(id);
                device.applyBundle(claim.body()); // over Bluetooth or the device's local web page
                return device.ensureProvisioned();
            });
            long claimed = claimOutcomes.getOrDefault("200 bundle", 0L);
            long provisioned = results.stream().filter(ProvisioningResult::isProvisioned).count();
            long onOwnersDps = 0;
            for (int n = 0; n < fleet.size(); n++) {
                ProvisioningResult r = results.get(n);
                if (r.isProvisioned() && r.idScope().equals(dps.instance(ownersDps(fleet.get(n))).idScope())) {
                    onOwnersDps++;
                }
            }
            out.printf("  claims: %s; %,d of %,d devices provisioned in %s of simulated time (%.1f s real), %,d on "
                    + "their own tenant's DPS%n", claimOutcomes, provisioned, fleet.size(),
                    DemoSupport.clock(Duration.between(start, time.instant())), (System.nanoTime() - wall) / 1e9,
                    onOwnersDps);
            Map<String, Long> registrations = DemoFleet.assignedRegistrations(dps);
            out.printf("  %-11s %-7s %9s %17s  %s%n", "DPS", "tenant", "inventory", "DPS registrations",
                    "devices per hub (from DPS)");
            for (InstanceStatus s : direct.instances()) {
                out.printf("  %-11s %-7s %,9d %,17d  %s%n", s.instance().id(), s.instance().tenantPool().orElse("-"),
                        s.assignedCount(), registrations.get(s.instance().id()),
                        dps.instance(s.instance().id()).assignedDevicesPerHub());
            }
            out.printf("  the bundle %s's installer handed over: %s%n", fleet.get(0), sampleBundle.get());
            ProvisioningResult sample = results.get(0);
            if (sample.isProvisioned()) {
                out.printf("  %s: hub %s, registered at %s/%s as the bundle said%n", fleet.get(0),
                        sample.assignedHub(), sample.globalEndpoint(), sample.idScope());
            }
            long before = DemoFleet.requests(dps);
            List<ProvisioningResult> reboot = DemoFleet.run(out, time, "Reboot ", fleet,
                    id -> device(id).ensureProvisioned());
            long stored = reboot.stream().filter(r -> r.source().orElse(null) == ProvisioningResult.Source.STORED)
                    .count();
            long rebootRequests = DemoFleet.requests(dps) - before;
            out.printf("  every device reboots: %,d of %,d from their state files, DPS requests: %,d%n", stored,
                    fleet.size(), rebootRequests);

            // ---- proxy variant ----
            out.printf("%nProxy variant: %d acme gateways; the service registers each with DPS while the installer "
                    + "waits, the bundle carries the hub%n", gateways.size());
            InstallerApp lead = new InstallerApp("acme-installer-lead", "acme", proxyApi);
            long registrationsBefore = DemoFleet.registrationRequests(dps);
            List<String> bundles = new ArrayList<>();
            for (String id : gateways) {
                HttpResponse<String> claim = lead.claim(id, labels.get(id));
                if (claim.statusCode() != 200) {
                    throw new IllegalStateException("claim of " + id + ": " + claim.statusCode() + " " + claim.body());
                }
                bundles.add(claim.body());
            }
            long registeredByService = DemoFleet.registrationRequests(dps) - registrationsBefore;
            long requestsBefore = DemoFleet.requests(dps);
            long fromBundle = 0;
            for (int n = 0; n < gateways.size(); n++) {
                DeviceProvisioner gateway = device(gateways.get(n));
                ProvisioningResult applied = gateway.applyBundle(bundles.get(n));
                ProvisioningResult booted = gateway.ensureProvisioned();
                if (applied.source().orElse(null) == ProvisioningResult.Source.BUNDLE && booted.isProvisioned()
                        && booted.assignedHub().equals(applied.assignedHub())) {
                    fromBundle++;
                }
                if (n == 0) {
                    out.printf("  %s: hub %s, device id %s, straight from the bundle%n", gateways.get(n),
                            applied.assignedHub(), applied.deviceId());
                }
            }
            long gatewayRequests = DemoFleet.requests(dps) - requestsBefore;
            out.printf("  %d of %d provisioned from the bundle alone; DPS registrations made by the service: %d, "
                    + "DPS requests made by the gateways: %d%n", fromBundle, gateways.size(), registeredByService,
                    gatewayRequests);

            Refusals refused = refusals();
            return new Report(devices, crew.size(), claimed, provisioned, onOwnersDps, registrations, stored,
                    rebootRequests, gateways.size(), fromBundle, registeredByService, gatewayRequests,
                    refused.reused(), refused.wrong(), refused.foreign(), refused.unknown(), refused.looksUnknown(),
                    refused.bruteForceRefusedAt(), refused.retryAfter(), refused.expired(), refused.genuine(),
                    refused.tampered(), refused.genuineProvisioned());
        }

        private Refusals refusals() throws Exception {
            out.printf("%nWhat an operator sees when things are not right:%n");
            InstallerApp alice = new InstallerApp("alice", "acme", api);
            InstallerApp greg = new InstallerApp("greg", "globex", api);
            InstallerApp mallory = new InstallerApp("mallory", "acme", api);
            String first = fleet.get(0);
            String spareCode = labels.get(SPARE);

            HttpResponse<String> reused = alice.claim(first, labels.get(first));
            describe("alice (acme) claims " + first + " again with its code", reused);
            HttpResponse<String> wrong = alice.claim(SPARE, labels.get(first));
            describe("alice claims " + SPARE + " with another device's code", wrong);
            HttpResponse<String> foreign = greg.claim(SPARE, spareCode);
            describe("greg (globex) claims acme's " + SPARE + " with its code", foreign);
            String nobody = "acme-th-99999";
            HttpResponse<String> unknown = greg.claim(nobody, spareCode);
            describe("greg claims " + nobody + ", which does not exist", unknown);
            boolean looksUnknown = foreign.body().replace(SPARE, "?").equals(unknown.body().replace(nobody, "?"));
            out.printf("    the two answers are the same but for the id: %s%n", looksUnknown ? "yes" : "NO");

            ClaimCodeGenerator guesses = ClaimCodeGenerator.standard();
            int refusedAt = 0;
            long retryAfter = 0;
            Map<String, Integer> guessed = new TreeMap<>();
            for (int attempt = 1; attempt <= 20 && refusedAt == 0; attempt++) {
                HttpResponse<String> r = mallory.claim(SPARE, guesses.next());
                guessed.merge(r.statusCode() + " " + DemoSupport.problemType(r.body()), 1, Integer::sum);
                if (r.statusCode() == 429) {
                    refusedAt = attempt;
                    retryAfter = r.headers().firstValueAsLong("Retry-After").orElse(-1);
                }
            }
            List<String> answers = new ArrayList<>();
            guessed.forEach((answer, times) -> answers.add(times + " x " + answer));
            out.printf("  %-58s -> %s (Retry-After %d s)%n", "mallory (acme) guesses codes for " + SPARE,
                    String.join(", then ", answers), retryAfter);

            HmacInstallerTokens yesterday = HmacInstallerTokens.builder(tokenKey).issuer("https://id.vendor.example")
                    .audience("multiscope-claims").clock(Clock.offset(serviceTime, Duration.ofHours(-9)))
                    .build();
            HttpResponse<String> expired = send(api, yesterday.issue(new InstallerIdentity("bob", "acme"),
                    Duration.ofHours(8)), SPARE, spareCode);
            describe("bob (acme) with yesterday's token", expired);

            HttpResponse<String> genuine = alice.claim(SPARE, spareCode);
            describe("alice claims " + SPARE + " with the right code", genuine);
            if (genuine.statusCode() != 200) {
                throw new IllegalStateException("the spare device could not be claimed: " + genuine.body());
            }
            ObjectNode tampered = (ObjectNode) JSON.readTree(genuine.body());
            tampered.put("idScope", dps.instance(GLOBEX).idScope());
            DeviceProvisioner device = device(SPARE);
            InvalidBundleException.Reason reason = null;
            try {
                device.applyBundle(JSON.writeValueAsString(tampered));
            } catch (InvalidBundleException e) {
                reason = e.reason();
                out.printf("  %-58s -> device refuses it: %s (%s)%n",
                        "the bundle is altered on the way (another ID scope)", e.reason(),
                        device.current().isProvisioned() ? "state CHANGED" : "its state is unchanged");
            }
            if (reason == null) {
                out.printf("  the altered bundle was ACCEPTED%n");
            }
            device.applyBundle(genuine.body());
            List<Throwable> errors = new ArrayList<>();
            ProvisioningResult booted = time.runAll(List.<Callable<ProvisioningResult>>of(device::ensureProvisioned),
                    errors).get(0);
            boolean genuineProvisioned = errors.isEmpty() && booted.isProvisioned()
                    && booted.idScope().equals(dps.instance(ACME).idScope());
            out.printf("  %-58s -> %s%n", "the genuine bundle, handed over again", genuineProvisioned
                    ? "accepted; the device registers at " + ACME + ", hub " + booted.assignedHub()
                    : "NOT provisioned: " + (errors.isEmpty() ? booted.detail() : errors.get(0)));

            return new Refusals(reused.statusCode(), wrong.statusCode(), foreign.statusCode(), unknown.statusCode(),
                    looksUnknown, refusedAt, retryAfter, expired.statusCode(), genuine.statusCode(), reason,
                    genuineProvisioned);
        }

        private void describe(String what, HttpResponse<String> r) {
            out.printf("  %-58s -> %d %s%n", what, r.statusCode(), r.statusCode() == 200 ? "bundle"
                    : DemoSupport.problemType(r.body()));
        }

        /** A device as its firmware sets it up: its own key, a state file, the vendor's provisioning API. */
        private DeviceProvisioner device(String id) {
            return DeviceProvisioner.builder()
                    // The vendor's default; a bundle, once applied, names the DPS instance instead.
                    .provisioningApi(api)
                    .symmetricKey(id, SasToken.deriveDeviceKey(groupKey, id))
                    .stateStore(FileStateStore.at(stateDir.resolve(id + ".json")))
                    .trustedCas(List.of(pki.caCertificate())).includeSystemCas(false)
                    .staggerWindow(STAGGER)
                    .clock(time).sleeper(time).random(new Random(new SplittableRandom(id.hashCode()).nextLong()))
                    .build();
        }

        private HttpResponse<String> send(URI base, String token, String id, String code) throws Exception {
            String body = JSON.writeValueAsString(Map.of("registrationId", id, "claimCode", code));
            return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/claims"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** The installer's phone app: signed in once, then claims devices over HTTPS. */
        private final class InstallerApp {
            final URI base;
            final String token;

            InstallerApp(String installerId, String tenant, URI base) {
                this.base = base;
                this.token = tokens.issue(new InstallerIdentity(installerId, tenant), Duration.ofHours(8));
            }

            HttpResponse<String> claim(String id, String code) throws Exception {
                return send(base, token, id, code);
            }
        }
    }

    /** What the refusals part showed. */
    private record Refusals(int reused, int wrong, int foreign, int unknown, boolean looksUnknown,
            int bruteForceRefusedAt, long retryAfter, int expired, int genuine, InvalidBundleException.Reason tampered,
            boolean genuineProvisioned) {
    }

    private static String tenant(String id) {
        return id.startsWith("globex-") ? "globex" : "acme";
    }

    private static String ownersDps(String id) {
        return tenant(id).equals("acme") ? ACME : GLOBEX;
    }
}
