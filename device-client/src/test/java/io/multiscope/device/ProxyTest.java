package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP proxy setting covers this module's own calls (provisioning API, DPS status lookup). The Azure SDK has no
 * proxy setting: it follows the JVM-wide proxy selector, as documented.
 */
class ProxyTest {

    TestEnvironment env;
    ConnectProxy proxy;

    @AfterEach
    void stop() throws IOException {
        if (env != null) {
            env.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    private String apiTarget() {
        return "localhost:" + env.api.port();
    }

    private String dpsTarget() {
        return env.dps.deviceEndpoint();
    }

    @Test
    void provisioningApiCallsGoThroughTheProxyAndTheSdkRegistrationDoesNot() throws Exception {
        env = TestEnvironment.start("dps-a").withApi();
        proxy = ConnectProxy.start();

        ProvisioningResult result = env.viaApi(env.device("proxied-1", new RecordingListener()))
                .proxy(proxy.address()).build().ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(proxy.tunnelsTo(apiTarget())).as("tunnels per target: %s", proxy.byTarget()).isPositive();
        assertThat(proxy.tunnelsTo(dpsTarget())).as("the SDK has no proxy setting").isZero();
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(1);
    }

    @Test
    void theDpsStatusLookupGoesThroughTheProxy() throws Exception {
        env = TestEnvironment.start("dps-a");
        proxy = ConnectProxy.start();

        ProvisioningResult result = env.direct(env.device("proxied-2", new RecordingListener()), "dps-a")
                .proxy(proxy.address()).build().ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(proxy.tunnelsTo(dpsTarget())).as("only the lookup").isEqualTo(1);
        assertThat(env.instance("dps-a").counters().statusLookups()).isEqualTo(1);
    }

    @Test
    void withAJvmWideProxySelectorTheSdkRegistrationIsProxiedToo() throws Exception {
        env = TestEnvironment.start("dps-a");
        proxy = ConnectProxy.start();
        ProxySelector previous = ProxySelector.getDefault();
        Proxy http = new Proxy(Proxy.Type.HTTP, proxy.address());
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return "https".equalsIgnoreCase(uri.getScheme()) ? List.of(http) : List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            }
        });
        try {
            ProvisioningResult result = env.direct(env.device("proxied-3", new RecordingListener()), "dps-a")
                    .dpsStatusLookup(false).build().ensureProvisioned();

            assertThat(result.isProvisioned()).as(result.toString()).isTrue();
            assertThat(proxy.tunnelsTo(dpsTarget())).as("the SDK's registration").isPositive();
        } finally {
            ProxySelector.setDefault(previous);
        }
    }
}
