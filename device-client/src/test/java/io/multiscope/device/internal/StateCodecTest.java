package io.multiscope.device.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.multiscope.device.ProvisioningResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StateCodecTest {

    static final ProvisioningResult RESULT = ProvisioningResult.provisioned("dev-1", "hub-1.azure-devices.net",
            "dev-1", "global.azure-devices-provisioning.net", "0ne0001A1B2", "{\"a\":[1,2]}",
            Instant.parse("2026-01-01T00:00:00Z"), ProvisioningResult.Source.REGISTERED);

    @Test
    void roundTripsEverything() {
        DeviceState state = new DeviceState("api https://p.example.com multiscope dev-1", RESULT,
                new CircuitState(2, Instant.parse("2026-01-01T00:10:00Z"), 1));
        byte[] bytes = StateCodec.encode(state);

        DeviceState back = StateCodec.decode(bytes);

        assertThat(back.configuration).isEqualTo(state.configuration);
        assertThat(back.result).isEqualTo(RESULT);
        assertThat(back.result.source()).contains(ProvisioningResult.Source.REGISTERED);
        assertThat(back.result.payload()).contains("{\"a\":[1,2]}");
        assertThat(back.circuit).isEqualTo(state.circuit);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith(
                "{\"format\":\"multiscope-device-state\",\"version\":1,");
    }

    @Test
    void anUnprovisionedStateHasNoResult() {
        DeviceState back = StateCodec.decode(StateCodec.encode(DeviceState.empty("dps x y dev-1")));
        assertThat(back.result).isNull();
        assertThat(back.circuit).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void refusesAnythingElseSayingWhy() {
        String good = new String(StateCodec.encode(new DeviceState("c", RESULT, CircuitState.CLOSED)),
                StandardCharsets.UTF_8);
        assertBad(new byte[] {(byte) 0xff, (byte) 0xfe, 0}, "UTF-8");
        assertBad("".getBytes(StandardCharsets.UTF_8), "JSON");
        assertBad(good.substring(0, good.length() / 2).getBytes(StandardCharsets.UTF_8), "JSON");
        assertBad(good.replace("multiscope-device-state", "other").getBytes(StandardCharsets.UTF_8), "not a multiscope-device-state");
        assertBad(good.replace("\"version\":1", "\"version\":2").getBytes(StandardCharsets.UTF_8), "version 2");
        assertBad(good.replace("\"assignedHub\":\"hub-1.azure-devices.net\",", "").getBytes(StandardCharsets.UTF_8),
                "assignedHub");
        assertBad(good.replace("2026-01-01T00:00:00Z", "yesterday").getBytes(StandardCharsets.UTF_8), "timestamp");
        assertBad(good.replace("\"consecutiveFailures\":0", "\"consecutiveFailures\":-1")
                .getBytes(StandardCharsets.UTF_8), "counters");
        assertBad(good.replace("REGISTERED", "MAGIC").getBytes(StandardCharsets.UTF_8), "source");
    }

    private static void assertBad(byte[] bytes, String why) {
        assertThatIllegalArgumentException().isThrownBy(() -> StateCodec.decode(bytes)).withMessageContaining(why);
    }
}
