package io.multiscope.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs one operation in a loop on N threads for a fixed time and reports completed operations per second. */
final class Throughput {

    /** One operation; thrown exceptions abort the measurement. */
    @FunctionalInterface
    interface Operation {
        void run(int thread) throws Exception;
    }

    private Throughput() {
    }

    static double measure(int threads, Duration duration, Operation operation) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> counts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                counts.add(pool.submit(() -> {
                    start.await();
                    long n = 0;
                    while (!stop.get()) {
                        operation.run(thread);
                        n++;
                    }
                    return n;
                }));
            }
            long begin = System.nanoTime();
            start.countDown();
            Thread.sleep(duration.toMillis());
            stop.set(true);
            long total = 0;
            for (Future<Long> f : counts) {
                total += f.get();
            }
            double seconds = (System.nanoTime() - begin) / 1e9;
            return total / seconds;
        } finally {
            pool.shutdownNow();
        }
    }
}
