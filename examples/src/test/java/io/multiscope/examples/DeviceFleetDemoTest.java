package io.multiscope.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The device demo keeps showing what it claims, on a small fleet. */
class DeviceFleetDemoTest {

    @Test
    void bootsRebootsWithoutRegistrationsAndGetsThroughASmallQuota() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DeviceFleetDemo.Report report = DeviceFleetDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                80);
        String output = bytes.toString(StandardCharsets.UTF_8);

        assertThat(report.firstBootRegistrations()).as(output).isEqualTo(80);
        assertThat(report.rebootRegistrations()).as(output).isZero();
        assertThat(report.rebootApiCalls()).as(output).isZero();
        assertThat(report.rebootStored()).as(output).isEqualTo(80);
        assertThat(report.smallQuotaProvisioned()).as(output).isEqualTo(80);
        assertThat(report.deferrals()).as(output).isPositive();
        assertThat(report.maxAttempts()).as(output).isLessThanOrEqualTo(10);
        assertThat(output).contains("DPS registrations during the reboot: 0");
    }
}
