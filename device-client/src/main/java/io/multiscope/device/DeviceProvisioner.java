package io.multiscope.device;

import io.multiscope.device.internal.DeviceCredentials;
import io.multiscope.device.internal.Json;
import io.multiscope.device.internal.ProvisioningEngine;
import io.multiscope.device.internal.SasTokens;
import io.multiscope.device.internal.Settings;
import io.multiscope.device.internal.Validation;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Provisions one device with Azure IoT Hub DPS the way the scaling guidance asks device software to: at most once,
 * remembered across reboots, gently under load, and with a usable default state when it cannot.
 *
 * <pre>{@code
 * DeviceProvisioner provisioner = DeviceProvisioner.builder()
 *         .provisioningApi(URI.create("https://provisioning.example.com"))
 *         .symmetricKey("sensor-0042", deviceKeyBase64)
 *         .stateStore(FileStateStore.at(Path.of("/var/lib/acme/provisioning.json")))
 *         .build();
 * ProvisioningResult result = provisioner.ensureProvisioned();   // no network at all on a normal reboot
 * if (result.isProvisioned()) {
 *     connect(result.assignedHub(), result.deviceId());
 * } else {
 *     runOffline(result.detail());                                // the default state; try again later
 * }
 * }</pre>
 *
 * <p>{@link #ensureProvisioned()}: a valid stored result is returned without any network call. Otherwise, unless the
 * circuit breaker is open: wait a random stagger, find out where to register (the provisioning API's assignment, or
 * the configured DPS endpoint and ID scope; then, where configured, DPS's registration status lookup), register
 * through the Azure SDK, follow a redirect in DPS's answer if there is one (pattern 3), persist, return. Failures are
 * classified and retried within a {@link RetryBudget}; see {@code docs/device-client.md} for the state machine and
 * every setting. An installer app can hand the device a provisioning bundle instead ({@link #applyBundle}, pattern
 * 4).
 *
 * <p>Thread-safe; one run at a time. The methods block while they wait (stagger, backoff, offline); they never
 * throw for network or service problems, which end in an {@linkplain ProvisioningResult#isProvisioned()
 * unprovisioned} result instead.
 */
public final class DeviceProvisioner {

    /** The scope in the SAS resource the provisioning API expects unless configured otherwise. */
    public static final String DEFAULT_API_SCOPE = "multiscope";

    private final ProvisioningEngine engine;

    private DeviceProvisioner(ProvisioningEngine engine) {
        this.engine = engine;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The device's registration id (for X.509, its certificate's common name). */
    public String registrationId() {
        return engine.registrationId();
    }

    /**
     * Returns the stored result when there is a valid one, without any network call; otherwise provisions the
     * device (or returns at once with the default state while the circuit breaker is open).
     *
     * @return a provisioned result, or an unprovisioned one saying why; if the thread is interrupted while
     *     waiting, an unprovisioned result with the interrupt flag set again
     */
    public ProvisioningResult ensureProvisioned() {
        return engine.ensureProvisioned();
    }

    /**
     * Registers the device again now, e.g. on a hub command, an installer's request or a factory reset. With a
     * provisioning API it first asks the API to place the device again, so the device moves when the API says so.
     * With a DPS endpoint it registers there again, at the configured (factory) instance and not where earlier
     * redirects led: a factory instance that now redirects elsewhere is how a transfer of ownership reaches the
     * device. While a {@linkplain #applyBundle bundle} is in force, it registers at the bundle's instance instead.
     * Uses the reprovisioning budget and the same circuit breaker.
     *
     * @param reason for logs and events, e.g. {@code "hub command"}
     * @return the new provisioned result (also stored), or an unprovisioned result saying why it failed; then the
     *     previously stored result, if any, stays in force ({@link #current()})
     */
    public ProvisioningResult reprovision(String reason) {
        Objects.requireNonNull(reason, "reason");
        return engine.reprovision(reason);
    }

    /**
     * Applies a provisioning bundle an installer app handed over locally (pattern 4): verifies it (format version,
     * this device's registration id, every field, the algorithm, the signature, expiry by this provisioner's clock
     * with {@link Builder#bundleExpiryTolerance tolerance}) and stores it atomically in place of the current state.
     * No network call. What follows:
     * <ul>
     * <li>a bundle with {@code assignedHub} and {@code deviceId} (the service registered the device already) is the
     * device's result from now on: {@link #ensureProvisioned()} returns it without network;</li>
     * <li>a bundle with only {@code globalEndpoint} and {@code idScope} makes the next {@link #ensureProvisioned()}
     * register with that DPS instance directly (not the configured one, nor the provisioning API).</li>
     * </ul>
     * Either way the bundle's DPS instance stays in force for later {@link #reprovision(String) reprovisioning}, until
     * another bundle replaces it (or the state store is cleared). A valid bundle replaces a previous result and
     * resets the circuit breaker; the same bundle applied again changes nothing; one issued before the bundle in
     * force is refused ({@link InvalidBundleException.Reason#SUPERSEDED}). Waits while a provisioning run is going on.
     *
     * @param bundleJson the bundle as the service issued it (a JSON object, UTF-8)
     * @return the result in force now: provisioned from the bundle ({@link ProvisioningResult.Source#BUNDLE}), or
     *     unprovisioned until the next {@link #ensureProvisioned()} registers at the bundle's DPS instance
     * @throws InvalidBundleException if the bundle is refused (the reason says why); nothing changed
     * @throws java.io.UncheckedIOException if the state store could not write it; nothing changed
     */
    public ProvisioningResult applyBundle(byte[] bundleJson) {
        Objects.requireNonNull(bundleJson, "bundleJson");
        return engine.applyBundle(bundleJson.clone());
    }

    /** {@link #applyBundle(byte[])} for a bundle held as text. */
    public ProvisioningResult applyBundle(String bundleJson) {
        Objects.requireNonNull(bundleJson, "bundleJson");
        return engine.applyBundle(bundleJson.getBytes(StandardCharsets.UTF_8));
    }

    /** The stored result if it is valid for this configuration, else {@link ProvisioningResult#UNPROVISIONED}; no network. */
    public ProvisioningResult current() {
        return engine.current();
    }

    @Override
    public String toString() {
        return "DeviceProvisioner[" + registrationId() + "]";
    }

    /**
     * Configures a {@link DeviceProvisioner}. Required: one endpoint ({@link #provisioningApi} or {@link #dps}) and
     * one identity ({@link #symmetricKey}, {@link #groupKey} or {@link #x509}). Every setter validates its argument
     * and throws without changing the builder when it is bad. Defaults are listed on each setter and in {@code
     * docs/device-client.md}.
     */
    public static final class Builder {

        private URI apiBase;
        private String apiScope = DEFAULT_API_SCOPE;
        private String dpsEndpoint;
        private String dpsIdScope;
        private DeviceCredentials credentials;
        private Transport transport = Transport.HTTPS;
        private List<X509Certificate> trustedCas = List.of();
        private boolean includeSystemCas = true;
        private InetSocketAddress proxy;
        private String region;
        private String tenant;
        private Map<String, String> attributes = Map.of();
        private String payload;
        private Boolean dpsStatusLookup;
        private int maxRedirects = 2;
        private PublicKey bundleVerificationKey;
        private Duration bundleExpiryTolerance = Duration.ofMinutes(5);
        private ProvisioningStateStore store;
        private Duration staggerWindow = Duration.ofSeconds(30);
        private RetryBudget firstProvisioning = RetryBudget.firstProvisioning();
        private RetryBudget reprovisioning = RetryBudget.reprovisioning();
        private CircuitBreakerPolicy circuitBreaker = CircuitBreakerPolicy.defaults();
        private ConnectivityProbe probe = ConnectivityProbe.ALWAYS_ONLINE;
        private Duration offlineRecheck = Duration.ofSeconds(30);
        private Duration registrationTimeout = Duration.ofSeconds(60);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.system();
        private Random random;
        private ProvisioningListener listener = ProvisioningListener.NONE;

        private Builder() {
        }

        // ---- where to provision ----

        /**
         * Provision through Multiscope's provisioning API (pattern 1): it tells the device which DPS instance to
         * register with. Excludes {@link #dps}.
         *
         * @param baseUri e.g. {@code https://provisioning.example.com} (a path prefix is kept); https only, since the
         *     device authenticates with it
         */
        public Builder provisioningApi(URI baseUri) {
            Objects.requireNonNull(baseUri, "baseUri");
            if (!"https".equalsIgnoreCase(baseUri.getScheme()) || baseUri.getHost() == null) {
                throw new IllegalArgumentException("the provisioning API must be an absolute https URI with a host, "
                        + "was '" + baseUri + "'");
            }
            if (baseUri.getRawQuery() != null || baseUri.getRawFragment() != null
                    || baseUri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("the provisioning API URI must not carry a query, fragment or "
                        + "user info, was '" + baseUri + "'");
            }
            this.apiBase = baseUri;
            return this;
        }

        /**
         * The scope devices sign their SAS tokens for when talking to the provisioning API ({@code
         * {scope}/registrations/{id}}); default {@value DeviceProvisioner#DEFAULT_API_SCOPE}, which the API expects
         * unless configured otherwise.
         */
        public Builder apiScope(String scope) {
            Objects.requireNonNull(scope, "scope");
            if (scope.isBlank() || scope.contains("/") || !scope.equals(scope.trim())) {
                throw new IllegalArgumentException("the API scope must be a non-blank name without '/' or "
                        + "surrounding spaces, was '" + scope + "'");
            }
            this.apiScope = scope;
            return this;
        }

        /**
         * Register directly with one DPS instance. Excludes {@link #provisioningApi}.
         *
         * @param globalEndpoint {@code global.azure-devices-provisioning.net}, or {@code host:port} for an emulator;
         *     no scheme
         * @param idScope the instance's ID scope, e.g. {@code 0ne0001A1B2}
         */
        public Builder dps(String globalEndpoint, String idScope) {
            Objects.requireNonNull(globalEndpoint, "globalEndpoint");
            Objects.requireNonNull(idScope, "idScope");
            if (globalEndpoint.contains("://")) {
                throw new IllegalArgumentException("the DPS endpoint is a host name (optionally :port), without a "
                        + "scheme; was '" + globalEndpoint + "'");
            }
            if (!Validation.isEndpoint(globalEndpoint)) {
                throw new IllegalArgumentException("the DPS endpoint '" + globalEndpoint + "' is not a host name "
                        + "(optionally :port)");
            }
            if (!Validation.isIdScope(idScope)) {
                throw new IllegalArgumentException("the ID scope '" + idScope + "' is not letters, digits and '-'");
            }
            this.dpsEndpoint = globalEndpoint;
            this.dpsIdScope = idScope;
            return this;
        }

        // ---- who the device is ----

        /** The device's own symmetric key (individual enrollment, or a group-derived key flashed at the factory). */
        public Builder symmetricKey(String registrationId, String deviceKeyBase64) {
            Validation.requireRegistrationId(registrationId);
            Validation.requireKey(Objects.requireNonNull(deviceKeyBase64, "deviceKeyBase64"), "device key");
            return credentials(DeviceCredentials.symmetricKey(registrationId, deviceKeyBase64, "symmetric key"));
        }

        /**
         * A device of a symmetric-key enrollment group that derives its own key from the group key, as DPS does
         * ({@code HMAC-SHA256(groupKey, registrationId)}). Prefer deriving at the factory and using
         * {@link #symmetricKey}: a device holding the group key can impersonate every device of the group.
         */
        public Builder groupKey(String registrationId, String groupKeyBase64) {
            Validation.requireRegistrationId(registrationId);
            Validation.requireKey(Objects.requireNonNull(groupKeyBase64, "groupKeyBase64"), "group key");
            return credentials(DeviceCredentials.symmetricKey(registrationId,
                    SasTokens.deriveDeviceKey(groupKeyBase64, registrationId), "key derived from a group key"));
        }

        /**
         * An X.509 device: it presents {@code certificate} (and {@code intermediates}, nearest first) in the TLS
         * handshake; its registration id is the certificate's common name.
         */
        public Builder x509(X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> intermediates) {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(privateKey, "privateKey");
            List<X509Certificate> chain = List.copyOf(Objects.requireNonNull(intermediates, "intermediates"));
            String cn = Validation.commonName(certificate).orElseThrow(() -> new IllegalArgumentException(
                    "the certificate's subject '" + certificate.getSubjectX500Principal().getName()
                            + "' must have exactly one common name (CN), the registration id"));
            String problem = Validation.registrationIdProblem(cn);
            if (problem != null) {
                throw new IllegalArgumentException("the certificate's common name is the registration id, but "
                        + problem);
            }
            return credentials(DeviceCredentials.x509(certificate, privateKey, chain, cn));
        }

        private Builder credentials(DeviceCredentials c) {
            if (credentials != null) {
                throw new IllegalStateException("the device identity is already set (" + credentials.describe()
                        + " for '" + credentials.registrationId() + "'); set exactly one");
            }
            this.credentials = c;
            return this;
        }

        // ---- how to reach it ----

        /** How the SDK registers with DPS: {@link Transport#HTTPS} (default) or {@link Transport#MQTT}. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * CAs to trust for the provisioning API and DPS, in addition to the JVM's trust store (unless
         * {@link #includeSystemCas(boolean) includeSystemCas(false)}). Default: none, only the JVM's.
         */
        public Builder trustedCas(Collection<X509Certificate> cas) {
            List<X509Certificate> copy = List.copyOf(Objects.requireNonNull(cas, "cas"));
            this.trustedCas = copy;
            return this;
        }

        /**
         * Whether the JVM's default trust store stays trusted besides {@link #trustedCas}; default true. Real DPS
         * presents a certificate from a public CA, so set false only if every endpoint's CA is in trustedCas.
         */
        public Builder includeSystemCas(boolean include) {
            this.includeSystemCas = include;
            return this;
        }

        /**
         * An HTTP proxy (CONNECT) for this module's own calls: the provisioning API and DPS's status lookup. The
         * Azure SDK has no proxy setting: over HTTPS it follows the JVM-wide proxy settings ({@code https.proxyHost}
         * / {@code https.proxyPort}, or {@link java.net.ProxySelector#setDefault}); over MQTT it cannot use a proxy.
         * Default: none (the JVM-wide settings apply to this module's calls too).
         */
        public Builder proxy(InetSocketAddress proxy) {
            Objects.requireNonNull(proxy, "proxy");
            if (proxy.getPort() < 1) {
                throw new IllegalArgumentException("the proxy needs a port, was " + proxy);
            }
            this.proxy = proxy;
            return this;
        }

        /** {@link #proxy(InetSocketAddress)} by host name and port (resolved when connecting). */
        public Builder proxy(String host, int port) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank() || port < 1 || port > 65535) {
                throw new IllegalArgumentException("the proxy needs a host and a port 1..65535, was " + host + ":"
                        + port);
            }
            return proxy(InetSocketAddress.createUnresolved(host, port));
        }

        // ---- what to tell the services ----

        /** The region the device asks the provisioning API for (e.g. {@code westeurope}); default none. */
        public Builder region(String region) {
            this.region = nonBlank(region, "region");
            return this;
        }

        /** The tenant the device asks the provisioning API for; default none. */
        public Builder tenant(String tenant) {
            this.tenant = nonBlank(tenant, "tenant");
            return this;
        }

        /** Attributes for the provisioning API's allocation strategy; default none. */
        public Builder attributes(Map<String, String> attributes) {
            Map<String, String> copy = new LinkedHashMap<>();
            Objects.requireNonNull(attributes, "attributes").forEach((k, v) -> copy.put(
                    Objects.requireNonNull(k, "attribute name"), Objects.requireNonNull(v, "attribute '" + k + "'")));
            this.attributes = Map.copyOf(copy);
            return this;
        }

        /**
         * A custom payload sent with the DPS registration (a JSON object, e.g. {@code {"modelId":"dtmi:..."}}), for
         * custom allocation; default none.
         */
        public Builder payload(String jsonObject) {
            Objects.requireNonNull(jsonObject, "jsonObject");
            try {
                Json.parseObject(jsonObject);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the DPS payload must be a JSON object: " + e.getMessage());
            }
            this.payload = jsonObject;
            return this;
        }

        /**
         * Whether to ask DPS's registration status lookup before registering (not billed, its own quota), so a
         * device that lost its state does not register again. Default: true with {@link #dps}, false with
         * {@link #provisioningApi} (the API is asked first there).
         */
        public Builder dpsStatusLookup(boolean lookup) {
            this.dpsStatusLookup = lookup;
            return this;
        }

        // ---- redirects and bundles (patterns 3 and 4) ----

        /**
         * How many redirects one provisioning may follow (0 to 10); default 2. When a DPS instance assigns the device
         * with {@code {"redirect":{"version":1,"globalEndpoint":..,"idScope":..}}} in its payload (a factory instance
         * handing the device to its owner's), the device registers again there, with the same identity and payload.
         * One hop more, a loop or an invalid redirect ends the run with {@link FailureKind#REDIRECT_REFUSED} and keeps
         * the stored result. 0 turns following off: any redirect is then refused, since the factory's assignment is
         * a staging hub the device must not settle on.
         */
        public Builder maxRedirects(int max) {
            if (max < 0 || max > 10) {
                throw new IllegalArgumentException("maxRedirects must be 0 to 10, was " + max);
            }
            this.maxRedirects = max;
            return this;
        }

        /**
         * The service's public key for provisioning bundles signed with {@code SHA256withECDSA} (an EC key) or
         * {@code SHA256withRSA} (an RSA key, at least 2048 bits): what an X.509 device, which shares no secret with
         * the service, verifies bundles with. Default none: only {@code HMAC-SHA256} bundles (keyed from the device's
         * symmetric key) are accepted.
         */
        public Builder bundleVerificationKey(PublicKey key) {
            Objects.requireNonNull(key, "key");
            if (!"EC".equals(key.getAlgorithm()) && !"RSA".equals(key.getAlgorithm())) {
                throw new IllegalArgumentException("the bundle verification key must be an EC or RSA public key, was "
                        + key.getAlgorithm());
            }
            if (key instanceof RSAKey
                    && ((RSAKey) key).getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException("the bundle verification key is an RSA key of "
                        + ((RSAKey) key).getModulus().bitLength() + " bits; at least 2048");
            }
            this.bundleVerificationKey = key;
            return this;
        }

        /**
         * How far this device's clock may be past a bundle's {@code expiresAt} before the bundle counts as expired
         * (0 to 1 day); default 5 minutes, for devices whose clock drifts.
         */
        public Builder bundleExpiryTolerance(Duration tolerance) {
            Objects.requireNonNull(tolerance, "tolerance");
            if (tolerance.isNegative() || tolerance.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("bundleExpiryTolerance must be 0 to 1 day, was " + tolerance);
            }
            this.bundleExpiryTolerance = tolerance;
            return this;
        }

        // ---- persistence ----

        /**
         * Where the result and circuit state survive reboots, e.g. {@link FileStateStore#at}. Default: an
         * {@link InMemoryStateStore}, which survives nothing.
         */
        public Builder stateStore(ProvisioningStateStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        // ---- retries ----

        /**
         * The most random delay before a run's first network call (0 to 1 day), so a fleet powering up together
         * (after a blackout, a firmware rollout) does not arrive at once. Default 30 s.
         */
        public Builder staggerWindow(Duration window) {
            Objects.requireNonNull(window, "window");
            if (window.isNegative() || window.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("staggerWindow must be 0 to 1 day, was " + window);
            }
            this.staggerWindow = window;
            return this;
        }

        /** Retry budget of {@link #ensureProvisioned()}; default {@link RetryBudget#firstProvisioning()}. */
        public Builder firstProvisioningBudget(RetryBudget budget) {
            this.firstProvisioning = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /** Retry budget of {@link #reprovision(String)}; default {@link RetryBudget#reprovisioning()}. */
        public Builder reprovisioningBudget(RetryBudget budget) {
            this.reprovisioning = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /** Default {@link CircuitBreakerPolicy#defaults()}. */
        public Builder circuitBreaker(CircuitBreakerPolicy policy) {
            this.circuitBreaker = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Default {@link ConnectivityProbe#ALWAYS_ONLINE}. */
        public Builder connectivityProbe(ConnectivityProbe probe) {
            this.probe = Objects.requireNonNull(probe, "probe");
            return this;
        }

        /** How often an offline device asks the probe again (more than 0, at most 1 hour); default 30 s. */
        public Builder offlineRecheckInterval(Duration interval) {
            this.offlineRecheck = between(interval, "offlineRecheckInterval", Duration.ofMillis(1),
                    Duration.ofHours(1));
            return this;
        }

        /** How long one SDK registration may take (1 s to 10 min); default 60 s, the SDK's own. */
        public Builder registrationTimeout(Duration timeout) {
            this.registrationTimeout = between(timeout, "registrationTimeout", Duration.ofSeconds(1),
                    Duration.ofMinutes(10));
            return this;
        }

        /** Connect and read timeout of each provisioning API or status lookup call (1 s to 10 min); default 30 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = between(timeout, "requestTimeout", Duration.ofSeconds(1), Duration.ofMinutes(10));
            return this;
        }

        // ---- time and randomness ----

        /** Time for deadlines, token expiry and the circuit breaker; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How the provisioner waits; default {@link Sleeper#system()}. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * The source of stagger and jitter; default a {@link SecureRandom}, so identical devices powered up at the
         * same instant (same firmware, no real-time clock) still pick different delays.
         */
        public Builder random(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Hears every event; default none. */
        public Builder listener(ProvisioningListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @throws IllegalStateException if the endpoint or the identity is missing or set twice over, or placement
         *     hints are given without a provisioning API
         * @throws IllegalArgumentException if the TLS material cannot be used
         */
        public DeviceProvisioner build() {
            if ((apiBase == null) == (dpsEndpoint == null)) {
                throw new IllegalStateException(apiBase == null ? "no endpoint: call provisioningApi(...) or "
                        + "dps(...)" : "both provisioningApi(...) and dps(...) are set; choose one");
            }
            if (credentials == null) {
                throw new IllegalStateException("no device identity: call symmetricKey(...), groupKey(...) or "
                        + "x509(...)");
            }
            if (apiBase == null && (region != null || tenant != null || !attributes.isEmpty())) {
                throw new IllegalStateException("region, tenant and attributes are sent to the provisioning API; "
                        + "this device registers directly with DPS");
            }
            Settings s = new Settings();
            s.apiBase = apiBase;
            s.apiScope = apiScope;
            s.dpsEndpoint = dpsEndpoint;
            s.dpsIdScope = dpsIdScope;
            s.credentials = credentials;
            s.transport = transport;
            s.trustedCas = new ArrayList<>(trustedCas);
            s.includeSystemCas = includeSystemCas;
            s.proxy = proxy;
            Map<String, Object> hints = new LinkedHashMap<>();
            if (region != null) {
                hints.put("region", region);
            }
            if (tenant != null) {
                hints.put("tenant", tenant);
            }
            if (!attributes.isEmpty()) {
                hints.put("attributes", new LinkedHashMap<>(attributes));
            }
            s.placementHints = hints;
            s.payload = payload;
            s.dpsStatusLookup = dpsStatusLookup != null ? dpsStatusLookup : apiBase == null;
            s.maxRedirects = maxRedirects;
            s.bundleVerificationKey = bundleVerificationKey;
            s.bundleExpiryTolerance = bundleExpiryTolerance;
            s.store = store != null ? store : new InMemoryStateStore();
            s.staggerWindow = staggerWindow;
            s.firstProvisioning = firstProvisioning;
            s.reprovisioning = reprovisioning;
            s.circuitBreaker = circuitBreaker;
            s.probe = probe;
            s.offlineRecheck = offlineRecheck;
            s.registrationTimeout = registrationTimeout;
            s.requestTimeout = requestTimeout;
            s.clock = clock;
            s.sleeper = sleeper;
            s.random = random != null ? random : new SecureRandom();
            s.listener = listener;
            return new DeviceProvisioner(new ProvisioningEngine(s));
        }

        private static String nonBlank(String value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank");
            }
            return value;
        }

        private static Duration between(Duration value, String name, Duration min, Duration max) {
            Objects.requireNonNull(value, name);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", was " + value);
            }
            return value;
        }
    }
}
