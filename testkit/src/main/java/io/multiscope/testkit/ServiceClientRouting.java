package io.multiscope.testkit;

import io.multiscope.testkit.internal.routing.JvmRouting;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lets the real {@code ProvisioningServiceClient} reach an emulator. That client only connects to
 * {@code https://<HostName>:443} and only with the JVM's default TLS settings, so this installs, <b>JVM-wide</b>:
 * <ul>
 *   <li>a default {@link java.net.ProxySelector} that sends connections to the emulator's service host names (e.g.
 *       {@code dps-eu-1.azure-devices-provisioning.net}) through a small local CONNECT relay to the emulator's port,
 *       and leaves every other connection to the selector that was there before;</li>
 *   <li>a default {@code HttpsURLConnection} socket factory that trusts the JDK's CAs plus the emulator's test
 *       CA.</li>
 * </ul>
 * TLS stays end to end, against a certificate whose SANs name those hosts; no DNS entry or privileged port is needed.
 *
 * <p>While any routing is open, every {@code HttpsURLConnection} in the JVM that uses the default socket factory
 * also trusts the test CA, and connections to the routed host names go to the emulator. {@link #close()} removes
 * this routing's host names; the last one closed restores the previous proxy selector and socket factory. Several
 * emulators may be routed at once as long as their service host names differ.
 *
 * <pre>{@code
 * try (ServiceClientRouting routing = ServiceClientRouting.install(dps)) {
 *     ProvisioningServiceClient service =
 *             new ProvisioningServiceClient(dps.instance("dps-eu-1").serviceConnectionString());
 *     service.createOrUpdateEnrollmentGroup(group);
 * }
 * }</pre>
 */
public final class ServiceClientRouting implements AutoCloseable {

    private final JvmRouting.Registration registration;
    private final int relayPort;
    private boolean closed;

    private ServiceClientRouting(JvmRouting.Registration registration, int relayPort) {
        this.registration = registration;
        this.relayPort = relayPort;
    }

    /** Routes every instance's service host name to {@code emulator}. */
    public static ServiceClientRouting install(DpsEmulator emulator) {
        Map<String, InetSocketAddress> routes = new LinkedHashMap<>();
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), emulator.port());
        for (EmulatedDpsInstance instance : emulator.instances()) {
            routes.put(instance.serviceHostName(), target);
        }
        JvmRouting.Registration registration = new JvmRouting.Registration(Map.copyOf(routes),
                List.of(emulator.certificates().caCertificate()));
        return new ServiceClientRouting(registration, JvmRouting.register(registration));
    }

    /** The routed host names. */
    public List<String> hostNames() {
        return List.copyOf(registration.routes().keySet());
    }

    /** The local port of the CONNECT relay. */
    public int relayPort() {
        return relayPort;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            JvmRouting.unregister(registration);
        }
    }
}
