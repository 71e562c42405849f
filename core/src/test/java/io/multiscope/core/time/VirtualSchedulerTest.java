package io.multiscope.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {

    @Test
    void runsDueTasksInOrderAtTheirTimesIncludingOnesScheduledOnTheWay() {
        VirtualClock clock = VirtualClock.create();
        VirtualScheduler scheduler = new VirtualScheduler(clock);
        List<String> ran = new ArrayList<>();
        long start = clock.read();
        scheduler.schedule(Duration.ofSeconds(5), () -> ran.add("5s@" + (clock.read() - start) / 1_000_000_000L));
        scheduler.schedule(Duration.ofSeconds(1), () -> {
            ran.add("1s");
            scheduler.schedule(Duration.ofSeconds(1), () -> ran.add("2s"));
        });
        Scheduler.Scheduled cancelled = scheduler.schedule(Duration.ofSeconds(3), () -> ran.add("cancelled"));
        cancelled.cancel();

        scheduler.advance(Duration.ofSeconds(4));
        assertThat(ran).containsExactly("1s", "2s");
        assertThat(clock.read() - start).isEqualTo(Duration.ofSeconds(4).toNanos());
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(ran).containsExactly("1s", "2s", "5s@5");
        assertThat(scheduler.pending()).isZero();
    }
}
