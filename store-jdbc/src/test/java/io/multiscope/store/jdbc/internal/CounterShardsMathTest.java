package io.multiscope.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CounterShardsMathTest {

    private static long[] shares(long capacity, int shards) {
        long[] s = new long[shards];
        for (int i = 0; i < shards; i++) {
            s[i] = CounterShards.share(capacity, shards, i);
        }
        return s;
    }

    @Test
    void sharesAddUpToTheCapacityAndDifferByAtMostOne() {
        Random random = new Random(1);
        for (int run = 0; run < 10_000; run++) {
            int shards = 1 + random.nextInt(64);
            long capacity = random.nextInt(3) == 0 ? random.nextInt(shards * 2) : 1 + random.nextInt(2_000_000);
            long[] s = shares(capacity, shards);
            assertThat(Arrays.stream(s).sum()).isEqualTo(capacity);
            assertThat(Arrays.stream(s).max().getAsLong() - Arrays.stream(s).min().getAsLong()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void aSpreadCountKeepsEveryShardWithinItsShareUnlessTheCapacityIsExceeded() {
        Random random = new Random(2);
        for (int run = 0; run < 10_000; run++) {
            int shards = 1 + random.nextInt(32);
            long capacity = random.nextInt(500);
            long total = random.nextInt(700);
            long[] s = shares(capacity, shards);
            long[] counts = CounterShards.spread(total, s);
            assertThat(Arrays.stream(counts).sum()).as("total").isEqualTo(total);
            for (int i = 0; i < shards; i++) {
                assertThat(counts[i]).isNotNegative();
                if (total <= capacity) {
                    assertThat(counts[i]).as("within share").isLessThanOrEqualTo(s[i]);
                } else {
                    assertThat(counts[i]).as("no shard left open over capacity").isGreaterThanOrEqualTo(s[i]);
                }
            }
        }
    }

    @Test
    void freeRoomIsSpreadEvenlySoNewDevicesLandOnEveryShard() {
        long[] s = shares(1_000, 8);
        long[] counts = CounterShards.spread(992, s);
        for (int i = 0; i < 8; i++) {
            assertThat(s[i] - counts[i]).isEqualTo(1);
        }
    }
}
