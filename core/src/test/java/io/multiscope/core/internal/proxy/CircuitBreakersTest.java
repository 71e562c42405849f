package io.multiscope.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.core.time.VirtualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakersTest {

    @Test
    void opensAfterTheThresholdLetsOneTrialThroughAfterTheOpenTimeAndClosesOnSuccess() {
        VirtualClock clock = VirtualClock.create();
        CircuitBreakers circuits = new CircuitBreakers(clock, 2, Duration.ofSeconds(30));

        assertThat(circuits.onFailure("a")).isFalse();
        assertThat(circuits.onFailure("a")).isTrue();
        assertThat(circuits.available("a")).isFalse();
        assertThat(circuits.tryAcquire("a")).isFalse();
        assertThat(circuits.available("b")).isTrue();
        assertThat(circuits.remaining("a")).contains(Duration.ofSeconds(30));

        clock.advance(Duration.ofSeconds(30));
        assertThat(circuits.tryAcquire("a")).isTrue();
        assertThat(circuits.tryAcquire("a")).as("one trial at a time").isFalse();
        circuits.onFailure("a");
        assertThat(circuits.available("a")).as("a failed trial opens it again").isFalse();

        clock.advance(Duration.ofSeconds(30));
        assertThat(circuits.tryAcquire("a")).isTrue();
        circuits.release("a");
        assertThat(circuits.tryAcquire("a")).as("a released trial can be claimed again").isTrue();
        circuits.onSuccess("a");
        assertThat(circuits.isOpen("a")).isFalse();
        assertThat(circuits.onFailure("a")).as("the count starts again").isFalse();
    }
}
