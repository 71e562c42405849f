package io.multiscope.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's demo runs end to end (small fleet, in memory) and prints what it promises. */
class DemoTest {

    @Test
    void provisionsAFleetServesItStickyAndRefusesTheBadRequests() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        new Demo(120, 4, "memory", 0, new PrintStream(buffer, true, StandardCharsets.UTF_8)).run();
        String out = buffer.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("120 newly assigned").contains("0 newly assigned, 120 already assigned")
                .contains("401 wrong-device").contains("401 token-expired").contains("401 invalid-signature")
                .contains("400 invalid-registration-id").contains("400 unknown-region")
                .containsPattern("dps-eu-2 +westeurope +DRAINING +0 ")
                .contains("Service counters: 120 assigned");
    }
}
