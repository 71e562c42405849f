package io.multiscope.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void eachPatternHasItsOwnDefaultFleetSize() {
        assertThat(Demo.parse()).isEqualTo(new Demo.Options("zero-touch", 3_000, 16, "h2", 300));
        assertThat(Demo.parse("--pattern", "redirect").devices()).isEqualTo(RedirectDemo.DEFAULT_DEVICES);
        assertThat(Demo.parse("--pattern", "low-touch").devices()).isEqualTo(LowTouchDemo.DEFAULT_DEVICES);
        assertThat(Demo.parse("--devices", "40", "--pattern", "low-touch").devices()).isEqualTo(40);
        assertThat(Demo.parse("--pattern", "proxy", "--threads", "8", "--devices", "500"))
                .isEqualTo(new Demo.Options("proxy", 500, 8, "h2", 300));
    }

    @Test
    void badCommandLinesAreRefusedWithTheReason() {
        refused("unknown option --verbose", "--verbose");
        refused("--pattern must be zero-touch, proxy, redirect or low-touch, not 'magic'", "--pattern", "magic");
        refused("--devices must be 1 to 2,000, not 2001", "--pattern", "redirect", "--devices", "2001");
        refused("--devices must be 1 to 1,000, not 0", "--devices", "0", "--pattern", "low-touch");
        refused("--store does not apply to --pattern low-touch", "--pattern", "low-touch", "--store", "memory");
        refused("--threads does not apply to --pattern redirect", "--pattern", "redirect", "--threads", "4");
        refused("--devices needs a whole number, not 'many'", "--devices", "many");
        refused("--devices needs a value", "--pattern", "redirect", "--devices");
        refused("--pattern is given twice", "--pattern", "redirect", "--pattern", "low-touch");
        refused("--store must be h2 or memory, not 'disk'", "--store", "disk");
    }

    private static void refused(String message, String... args) {
        assertThatThrownBy(() -> Demo.parse(args)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
