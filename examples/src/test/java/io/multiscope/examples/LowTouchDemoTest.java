package io.multiscope.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.device.InvalidBundleException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pattern 4 demo keeps showing what it claims, on a small fleet. */
class LowTouchDemoTest {

    @Test
    void installersClaimDevicesWhichBootFromTheirBundlesAndEveryRefusalShows() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LowTouchDemo.Report r = LowTouchDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 10);
        String output = bytes.toString(StandardCharsets.UTF_8);

        // Six acme devices, four globex ones; one installer per tenant is enough for ten.
        assertThat(r.installers()).isEqualTo(2);
        assertThat(r.claimed()).as(output).isEqualTo(10);
        assertThat(r.provisioned()).as(output).isEqualTo(10);
        assertThat(r.onOwnersDps()).as(output).isEqualTo(10);
        assertThat(r.registrationsPerDps()).as(output).containsEntry(LowTouchDemo.ACME, 6L)
                .containsEntry(LowTouchDemo.GLOBEX, 4L);
        assertThat(r.rebootStored()).isEqualTo(10);
        assertThat(r.rebootDpsRequests()).isZero();

        assertThat(r.proxyDevices()).isEqualTo(LowTouchDemo.PROXY_DEVICES);
        assertThat(r.proxyFromBundle()).as(output).isEqualTo(LowTouchDemo.PROXY_DEVICES);
        assertThat(r.proxyRegisteredByService()).isEqualTo(LowTouchDemo.PROXY_DEVICES);
        assertThat(r.proxyDeviceDpsRequests()).isZero();

        assertThat(r.reusedCodeStatus()).isEqualTo(409);
        assertThat(r.wrongCodeStatus()).isEqualTo(403);
        assertThat(r.otherTenantStatus()).isEqualTo(404);
        assertThat(r.unknownDeviceStatus()).isEqualTo(404);
        assertThat(r.otherTenantLooksUnknown()).as(output).isTrue();
        assertThat(r.bruteForceRefusedAt()).as("ten attempts a minute, then 429").isEqualTo(11);
        assertThat(r.bruteForceRetryAfterSeconds()).isEqualTo(6);
        assertThat(r.expiredTokenStatus()).isEqualTo(401);
        assertThat(r.afterBruteForceStatus()).as("guessing does not burn the real code").isEqualTo(200);
        assertThat(r.tamperedBundle()).isEqualTo(InvalidBundleException.Reason.BAD_SIGNATURE);
        assertThat(r.genuineBundleProvisioned()).as(output).isTrue();
        assertThat(output).contains("409 claim-code-used").contains("403 claim-code-mismatch")
                .contains("404 claim-not-found").contains("429 claim-rate-limited").contains("401 token-expired");
    }

    @Test
    void aFleetOutsideTheLimitsIsRefused() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> LowTouchDemo.run(out, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LowTouchDemo.run(out, LowTouchDemo.MAX_DEVICES + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000");
    }
}
