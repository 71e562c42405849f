package io.multiscope.testkit.internal.routing;

import io.multiscope.testkit.internal.certs.CombinedTrust;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * The JVM-wide state behind routing: one relay, one proxy selector and one default TLS trust for all registrations.
 * Installed when the first registration arrives and removed (restoring what was there) when the last one leaves, so
 * several emulators can be routed at once.
 */
public final class JvmRouting {

    /** A registration's routes and the CAs its targets' certificates chain to. */
    public record Registration(Map<String, InetSocketAddress> routes, List<X509Certificate> trustedCas) {
    }

    // Identity, not equality: the same emulator may be routed twice, and each handle is closed on its own.
    private static final Set<Registration> REGISTRATIONS = Collections.newSetFromMap(new IdentityHashMap<>());
    private static volatile Map<String, InetSocketAddress> routes = Map.of();
    private static ConnectRelay relay;
    private static RoutingProxySelector selector;
    private static SSLSocketFactory previousSocketFactory;

    private JvmRouting() {
    }

    /** Adds routes; returns the relay's port. */
    public static synchronized int register(Registration registration) {
        for (String host : registration.routes().keySet()) {
            InetSocketAddress existing = routes.get(host.toLowerCase(Locale.ROOT));
            if (existing != null && !existing.equals(registration.routes().get(host))) {
                throw new IllegalStateException("the host name " + host + " is already routed to " + existing
                        + "; close that routing first or give the instances different host names");
            }
        }
        if (relay == null) {
            try {
                relay = ConnectRelay.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        host -> Optional.ofNullable(routes.get(host)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the CONNECT relay", e);
            }
            selector = new RoutingProxySelector(host -> routes.containsKey(host), relay.address(),
                    ProxySelector.getDefault());
            ProxySelector.setDefault(selector);
            previousSocketFactory = HttpsURLConnection.getDefaultSSLSocketFactory();
        }
        REGISTRATIONS.add(registration);
        applyRoutesAndTrust();
        return relay.address().getPort();
    }

    /** Removes a registration's routes; the last one out restores the JVM's previous settings. */
    public static synchronized void unregister(Registration registration) {
        if (!REGISTRATIONS.remove(registration)) {
            return;
        }
        if (REGISTRATIONS.isEmpty()) {
            routes = Map.of();
            if (ProxySelector.getDefault() == selector) {
                ProxySelector.setDefault(selector.previous());
            }
            HttpsURLConnection.setDefaultSSLSocketFactory(previousSocketFactory);
            relay.close();
            relay = null;
            selector = null;
            previousSocketFactory = null;
        } else {
            applyRoutesAndTrust();
        }
    }

    private static void applyRoutesAndTrust() {
        Map<String, InetSocketAddress> next = new HashMap<>();
        List<X509Certificate> cas = new ArrayList<>();
        for (Registration r : REGISTRATIONS) {
            r.routes().forEach((host, target) -> next.put(host.toLowerCase(Locale.ROOT), target));
            for (X509Certificate ca : r.trustedCas()) {
                if (!cas.contains(ca)) {
                    cas.add(ca);
                }
            }
        }
        routes = Map.copyOf(next);
        HttpsURLConnection.setDefaultSSLSocketFactory(CombinedTrust.sslContext(cas).getSocketFactory());
    }
}
