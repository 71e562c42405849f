package io.multiscope.device.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.multiscope.device.ProvisioningResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
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
    void roundTripsTheRedirectChainAndTheBundleInForce() {
        ProvisioningResult redirected = RESULT.withRedirectedFrom(List.of("factory.example.com/0ne000FAC70",
                "localhost:8443/0ne0002B3C4"));
        BundleRecord bundle = new BundleRecord(new DpsTarget("localhost:8443", "0ne0001A1B2"),
                Instant.parse("2026-01-01T00:00:00Z"), "c2lnbmF0dXJl");
        DeviceState back = StateCodec.decode(StateCodec.encode(new DeviceState("dps x y dev-1", redirected,
                CircuitState.CLOSED, bundle)));

        assertThat(back.result).isEqualTo(redirected);
        assertThat(back.result.redirectedFrom()).containsExactly("factory.example.com/0ne000FAC70",
                "localhost:8443/0ne0002B3C4");
        assertThat(back.bundle.target.toString()).isEqualTo("localhost:8443/0ne0001A1B2");
        assertThat(back.bundle.issuedAt).isEqualTo(bundle.issuedAt);
        assertThat(back.bundle.signature).isEqualTo("c2lnbmF0dXJl");
    }

    @Test
    void readsFilesWrittenBeforeRedirectsAndBundlesExisted() {
        String old = "{\"format\":\"multiscope-device-state\",\"version\":1,\"configuration\":\"c\",\"result\":"
                + "{\"registrationId\":\"dev-1\",\"assignedHub\":\"hub-1.azure-devices.net\",\"deviceId\":\"dev-1\","
                + "\"globalEndpoint\":\"global.azure-devices-provisioning.net\",\"idScope\":\"0ne0001A1B2\","
                + "\"payload\":\"{\\\"a\\\":[1,2]}\",\"provisionedAt\":\"2026-01-01T00:00:00Z\",\"source\":\"REGISTERED\"},"
                + "\"circuit\":{\"consecutiveFailures\":0,\"openUntil\":null,\"timesOpened\":0}}";
        DeviceState back = StateCodec.decode(old.getBytes(StandardCharsets.UTF_8));

        assertThat(back.result).isEqualTo(RESULT);
        assertThat(back.result.redirectedFrom()).isEmpty();
        assertThat(back.bundle).isNull();
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
        assertBad(good.replace("\"source\"", "\"redirectedFrom\":\"a/b\",\"source\"")
                .getBytes(StandardCharsets.UTF_8), "redirectedFrom");
        assertBad(good.replace("\"source\"", "\"redirectedFrom\":[1],\"source\"")
                .getBytes(StandardCharsets.UTF_8), "redirectedFrom");
        String withBundle = new String(StateCodec.encode(new DeviceState("c", RESULT, CircuitState.CLOSED,
                new BundleRecord(new DpsTarget("localhost:8443", "0ne0001A1B2"), Instant.EPOCH, "c2ln"))),
                StandardCharsets.UTF_8);
        assertBad(withBundle.replace("localhost:8443", "https://evil").getBytes(StandardCharsets.UTF_8), "bundle");
        assertBad(withBundle.replace(",\"signature\":\"c2ln\"", "").getBytes(StandardCharsets.UTF_8), "signature");
    }

    private static void assertBad(byte[] bytes, String why) {
        assertThatIllegalArgumentException().isThrownBy(() -> StateCodec.decode(bytes)).withMessageContaining(why);
    }
}
