package io.multiscope.testkit.internal.routing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Sends connections to routed host names through the relay and leaves every other connection to the selector that
 * was installed before (or direct, if there was none).
 */
final class RoutingProxySelector extends ProxySelector {

    private final Predicate<String> routed;
    private final Proxy relay;
    private final ProxySelector previous;

    RoutingProxySelector(Predicate<String> routed, InetSocketAddress relay, ProxySelector previous) {
        this.routed = routed;
        this.relay = new Proxy(Proxy.Type.HTTP, relay);
        this.previous = previous;
    }

    ProxySelector previous() {
        return previous;
    }

    @Override
    public List<Proxy> select(URI uri) {
        String host = uri.getHost();
        if (host != null && routed.test(host.toLowerCase(Locale.ROOT))) {
            return List.of(relay);
        }
        return previous != null ? previous.select(uri) : List.of(Proxy.NO_PROXY);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException e) {
        if (previous != null && !relay.address().equals(address)) {
            previous.connectFailed(uri, address, e);
        }
    }
}
