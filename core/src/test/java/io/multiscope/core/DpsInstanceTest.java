package io.multiscope.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DpsInstanceTest {

    @Test
    void theGlobalEndpointDefaultsToAzures() {
        DpsInstance instance = DpsInstance.builder("dps-1").idScope("0ne0001A1B2").region("westeurope").build();

        assertThat(instance.globalEndpoint()).isEqualTo(DpsInstance.DEFAULT_GLOBAL_ENDPOINT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"global.azure-devices-provisioning.net", "localhost:8443", "127.0.0.1:443",
            "[::1]:8443", "dps"})
    void acceptsHostNamesWithAnOptionalPort(String endpoint) {
        DpsInstance instance = DpsInstance.builder("dps-1").idScope("0ne0001A1B2").region("westeurope")
                .globalEndpoint(endpoint).build();

        assertThat(instance.globalEndpoint()).isEqualTo(endpoint);
    }

    /** Devices refuse these in a redirect or a bundle, so the service must not hand them out. */
    @ParameterizedTest
    @ValueSource(strings = {"", " ", "https://dps.example.com", "dps.example.com/", "dps.example.com/path",
            "dps example.com", "dps.example.com:", "dps.example.com:123456", "-dps.example.com", "dps..example.com"})
    void refusesEndpointsDevicesWouldRefuse(String endpoint) {
        assertThatThrownBy(() -> DpsInstance.builder("dps-1").idScope("0ne0001A1B2").region("westeurope")
                .globalEndpoint(endpoint).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DPS instance 'dps-1'")
                .hasMessageContaining("globalEndpoint must be a host name or host:port");
    }
}
