package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.EnrollmentGroup;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.SymmetricKeyAttestation;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

class ServiceClientRoutingTest {

    @Test
    void routesOnlyTheEmulatorsHostsAndRestoresTheJvmOnClose() throws Exception {
        ProxySelector before = ProxySelector.getDefault();
        SSLSocketFactory factoryBefore = HttpsURLConnection.getDefaultSSLSocketFactory();
        try (DpsEmulator one = DpsEmulator.builder().instance("route-one").start();
             DpsEmulator two = DpsEmulator.builder().instance("route-two").start()) {
            ServiceClientRouting r1 = ServiceClientRouting.install(one);
            try (ServiceClientRouting r2 = ServiceClientRouting.install(two)) {
                assertThat(r1.relayPort()).isEqualTo(r2.relayPort());
                assertThat(ProxySelector.getDefault().select(URI.create("https://example.com/")))
                        .containsExactly(Proxy.NO_PROXY);
                assertThat(ProxySelector.getDefault()
                        .select(URI.create("https://route-one.azure-devices-provisioning.net/")).get(0).type())
                        .isEqualTo(Proxy.Type.HTTP);

                for (DpsEmulator dps : new DpsEmulator[] {one, two}) {
                    EmulatedDpsInstance instance = dps.instances().get(0);
                    new ProvisioningServiceClient(instance.serviceConnectionString()).createOrUpdateEnrollmentGroup(
                            new EnrollmentGroup("g", new SymmetricKeyAttestation("", "")));
                    assertThat(instance.counters().serviceOperations()).isEqualTo(1);
                }

                r1.close();
                assertThat(ProxySelector.getDefault()
                        .select(URI.create("https://route-one.azure-devices-provisioning.net/")))
                        .containsExactly(Proxy.NO_PROXY);
                assertThat(ProxySelector.getDefault()
                        .select(URI.create("https://route-two.azure-devices-provisioning.net/")).get(0).type())
                        .isEqualTo(Proxy.Type.HTTP);
            } finally {
                r1.close();
            }
        }
        assertThat(ProxySelector.getDefault()).isSameAs(before);
        assertThat(HttpsURLConnection.getDefaultSSLSocketFactory()).isSameAs(factoryBefore);
    }
}
