package io.multiscope.device.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderSymmetricKey;
import io.multiscope.core.attestation.SasToken;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The device computes the same tokens and derived keys as the Azure SDK and Multiscope's own verifier. */
class SasTokensTest {

    static final String GROUP_KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef"
            .getBytes(StandardCharsets.US_ASCII));

    @Test
    void derivesDeviceKeysAsTheAzureSdkDoes() throws Exception {
        byte[] sdk = SecurityProviderSymmetricKey.ComputeDerivedSymmetricKey(
                GROUP_KEY.getBytes(StandardCharsets.UTF_8), "sensor-1");
        assertThat(SasTokens.deriveDeviceKey(GROUP_KEY, "sensor-1")).isEqualTo(new String(sdk, StandardCharsets.UTF_8));
        assertThat(SasTokens.deriveDeviceKey(GROUP_KEY, "sensor-1")).isEqualTo(SasToken.deriveDeviceKey(GROUP_KEY,
                "sensor-1"));
    }

    @Test
    void signsTokensTheProvisioningApiAccepts() {
        Instant expiry = Instant.parse("2030-01-01T00:00:00Z");
        String key = SasTokens.deriveDeviceKey(GROUP_KEY, "sensor-1");
        String token = SasTokens.token(SasTokens.resource("multiscope", "sensor-1"), key, expiry.getEpochSecond());

        assertThat(token).isEqualTo(SasToken.forDevice("multiscope/registrations/sensor-1", key, expiry));
        SasToken parsed = SasToken.parse(token);
        assertThat(parsed.isFor("multiscope/registrations/sensor-1")).isTrue();
        assertThat(parsed.isSignedWith(key)).isTrue();
        assertThat(parsed.expiresAt()).isEqualTo(expiry);
    }
}
