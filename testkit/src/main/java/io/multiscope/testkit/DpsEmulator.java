package io.multiscope.testkit;

import io.multiscope.core.time.VirtualClock;

import io.multiscope.testkit.internal.certs.CombinedTrust;
import io.multiscope.testkit.internal.dps.EmulatorServer;
import io.multiscope.testkit.internal.dps.InstanceRuntime;
import io.multiscope.testkit.internal.mqtt.MqttListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * A local emulator of a fleet of Azure IoT Hub Device Provisioning Service instances that the real Azure IoT
 * provisioning SDKs accept: device API and service API over HTTPS on one listener, several instances told apart by
 * ID scope (device API) and host name (service API), all state in memory.
 *
 * <pre>{@code
 * try (DpsEmulator dps = DpsEmulator.builder()
 *         .instance("dps-eu-1", i -> i.idScope("0ne0001A1B2").linkedHub("hub-eu-1.azure-devices.net"))
 *         .instantAssignment(true)
 *         .start()) {
 *     String groupKey = dps.instance("dps-eu-1").createSymmetricKeyGroup("fleet");
 *     ProvisioningDeviceClient client = ProvisioningDeviceClient.create(dps.deviceEndpoint(), "0ne0001A1B2",
 *             ProvisioningDeviceClientTransportProtocol.HTTPS,
 *             TestSymmetricKeySecurityProvider.forGroupDevice("device-1", groupKey, dps.certificates()));
 * }
 * }</pre>
 *
 * <p>It is not DPS: see {@code docs/emulator.md} for what it reproduces and what it leaves out.
 */
public final class DpsEmulator implements AutoCloseable {

    private final EmulatorServer server;
    private final Map<String, EmulatedDpsInstance> instances;
    private final TestCertificates certificates;
    private final Clock clock;
    private final boolean instant;
    private final String deviceEndpoint;
    private final String mqttEndpoint;

    private DpsEmulator(EmulatorServer server, Map<String, EmulatedDpsInstance> instances,
            TestCertificates certificates, Clock clock, boolean instant, String deviceEndpoint, String mqttEndpoint) {
        this.server = server;
        this.instances = instances;
        this.certificates = certificates;
        this.clock = clock;
        this.instant = instant;
        this.deviceEndpoint = deviceEndpoint;
        this.mqttEndpoint = mqttEndpoint;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What devices pass to {@code ProvisioningDeviceClient.create} as the global endpoint: {@code localhost:<port>}. */
    public String deviceEndpoint() {
        return deviceEndpoint;
    }

    public int port() {
        return server.port();
    }

    /**
     * The endpoint to give the SDK with {@code ProvisioningDeviceClientTransportProtocol.MQTT}: the MQTT listener's
     * address (its port is always 8883), if {@link Builder#mqtt} enabled one.
     */
    public Optional<String> mqttEndpoint() {
        return Optional.ofNullable(mqttEndpoint);
    }

    /**
     * The instance named {@code name}.
     *
     * @throws IllegalArgumentException naming the instances there are
     */
    public EmulatedDpsInstance instance(String name) {
        EmulatedDpsInstance instance = instances.get(name);
        if (instance == null) {
            throw new IllegalArgumentException("no emulated DPS instance named '" + name + "'; there are "
                    + instances.keySet());
        }
        return instance;
    }

    public Optional<EmulatedDpsInstance> instanceByIdScope(String idScope) {
        return instances.values().stream().filter(i -> i.idScope().equalsIgnoreCase(idScope)).findFirst();
    }

    /** All instances, in the order they were configured. */
    public List<EmulatedDpsInstance> instances() {
        return List.copyOf(instances.values());
    }

    /** The PKI whose root CA signed the emulator's server certificate. */
    public TestCertificates certificates() {
        return certificates;
    }

    /** An SSLContext that trusts the emulator (and nothing else). */
    public SSLContext clientSslContext() {
        return certificates.clientSslContext();
    }

    public Clock clock() {
        return clock;
    }

    /** Whether registrations are answered {@code assigned} at once instead of {@code assigning} then a poll. */
    public boolean isInstantAssignment() {
        return instant;
    }

    /** {@link EmulatedDpsInstance#reset() Resets} every instance. */
    public void reset() {
        instances.values().forEach(EmulatedDpsInstance::reset);
    }

    /** Stops the listener; in-flight requests are cut off. */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "DpsEmulator[" + deviceEndpoint + ", instances=" + instances.keySet() + "]";
    }

    /** Configures and starts a {@link DpsEmulator}. */
    public static final class Builder {

        private final Map<String, InstanceSettings.Builder> instances = new LinkedHashMap<>();
        private boolean instant;
        private int assigningPolls;
        private int retryAfterSeconds = 3;
        private Clock clock = Clock.systemUTC();
        private TestCertificates certificates;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port;
        private Duration webhookTimeout = Duration.ofSeconds(10);
        private int workerThreads = 16;
        private InetAddress mqttAddress;

        private Builder() {
        }

        /** Adds an instance with default settings. */
        public Builder instance(String name) {
            return instance(name, i -> { });
        }

        /** Adds an instance configured by {@code settings}. */
        public Builder instance(String name, Consumer<InstanceSettings.Builder> settings) {
            Objects.requireNonNull(settings, "settings");
            if (instances.containsKey(name)) {
                throw new IllegalArgumentException("instance '" + name + "' is configured twice");
            }
            InstanceSettings.Builder builder = new InstanceSettings.Builder(name);
            settings.accept(builder);
            instances.put(name, builder);
            return this;
        }

        /**
         * Answer a register request with the final result ({@code 200 assigned}, about 60 ms per device through the
         * SDK) instead of DPS's {@code 202 assigning} followed by a poll (at least 2 s, as the SDK sleeps before
         * polling). Default: false, the realistic behaviour.
         */
        public Builder instantAssignment(boolean instant) {
            this.instant = instant;
            return this;
        }

        /**
         * In realistic mode, how many polls still answer {@code assigning} before the result. Default 0: the first
         * poll gets the result.
         */
        public Builder assigningPolls(int polls) {
            if (polls < 0) {
                throw new IllegalArgumentException("assigningPolls must not be negative");
            }
            this.assigningPolls = polls;
            return this;
        }

        /**
         * The {@code Retry-After} (whole seconds) sent with {@code assigning} answers. Default 3, as DPS sends. The
         * Java SDK waits this long before polling, but treats values outside 2..5 as 2.
         */
        public Builder assigningRetryAfterSeconds(int seconds) {
            if (seconds < 1) {
                throw new IllegalArgumentException("Retry-After must be at least 1 second");
            }
            this.retryAfterSeconds = seconds;
            return this;
        }

        /**
         * The clock for quotas, timestamps, SAS token expiry and certificate validity. Default: system UTC. A
         * {@link VirtualClock} lets tests exhaust quotas in simulated time.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The PKI for the server certificate. Default: {@link TestCertificates#shared()}. */
        public Builder certificates(TestCertificates certificates) {
            this.certificates = Objects.requireNonNull(certificates, "certificates");
            return this;
        }

        /** The address to listen on. Default: the loopback address. */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The port to listen on; 0 (default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is out of range");
            }
            this.port = port;
            return this;
        }

        /** How long a custom allocation webhook may take. Default 10 s. */
        public Builder webhookTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("webhook timeout must be positive");
            }
            this.webhookTimeout = timeout;
            return this;
        }

        /** Threads handling requests (TLS, JSON, webhook calls, injected delays). Default 16. */
        public Builder workerThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("workerThreads must be at least 1");
            }
            this.workerThreads = threads;
            return this;
        }

        /**
         * Also serves the device API over MQTT (TLS) on {@code address}, port 8883: the SDK's MQTT transport always
         * uses that port, so each running emulator needs its own address. On Linux every 127.x.y.z address is
         * local, e.g. {@code InetAddress.getByName("127.0.0.2")}; other systems need a loopback alias. The server
         * certificate covers the address.
         */
        public Builder mqtt(InetAddress address) {
            this.mqttAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * Starts the emulator. Without any {@link #instance} call it hosts one instance named {@code dps-1}.
         *
         * @throws IllegalArgumentException if two instances share an ID scope or service host name
         * @throws UncheckedIOException if the port cannot be bound
         */
        public DpsEmulator start() {
            if (instances.isEmpty()) {
                instance("dps-1");
            }
            List<InstanceSettings> settings = instances.values().stream().map(InstanceSettings.Builder::build)
                    .toList();
            checkUnique(settings);
            TestCertificates pki = certificates != null ? certificates : TestCertificates.shared();
            List<InstanceRuntime> runtimes = new ArrayList<>();
            for (InstanceSettings s : settings) {
                runtimes.add(new InstanceRuntime(s, clock));
            }
            List<String> serverNames = new ArrayList<>(
                    settings.stream().map(InstanceSettings::serviceHostName).toList());
            InetSocketAddress mqtt = null;
            if (mqttAddress != null) {
                serverNames.add(mqttAddress.getHostAddress());
                mqtt = new InetSocketAddress(mqttAddress, MqttListener.SDK_PORT);
            }
            EmulatorServer server;
            try {
                server = EmulatorServer.start(new EmulatorServer.Config(new InetSocketAddress(bindAddress, port),
                        pki.serverKeyManagers(serverNames), clock, instant, assigningPolls, retryAfterSeconds,
                        CombinedTrust.sslContext(List.of(pki.caCertificate())), webhookTimeout, workerThreads, mqtt),
                        runtimes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the DPS emulator on " + bindAddress + ":" + port
                        + (mqtt == null ? "" : " (MQTT " + mqtt + ")"), e);
            }
            String endpoint = "localhost:" + server.port();
            Map<String, EmulatedDpsInstance> handles = new LinkedHashMap<>();
            for (InstanceRuntime r : runtimes) {
                handles.put(r.settings().name(), new EmulatedDpsInstance(r, endpoint));
            }
            return new DpsEmulator(server, handles, pki, clock, instant, endpoint,
                    mqttAddress == null ? null : mqttAddress.getHostAddress());
        }

        private static void checkUnique(List<InstanceSettings> settings) {
            Set<String> scopes = new HashSet<>();
            Set<String> hosts = new HashSet<>();
            for (InstanceSettings s : settings) {
                if (!scopes.add(s.idScope().toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("ID scope " + s.idScope() + " is used by two instances");
                }
                if (!hosts.add(s.serviceHostName())) {
                    throw new IllegalArgumentException("service host name " + s.serviceHostName()
                            + " is used by two instances");
                }
            }
        }
    }
}
