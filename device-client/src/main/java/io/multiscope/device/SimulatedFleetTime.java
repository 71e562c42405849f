package io.multiscope.device;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Discrete-event virtual time for simulating a fleet of devices, each on its own thread, against real services: use
 * it as every simulated device's {@link Clock} and {@link Sleeper} (e.g. {@code DeviceProvisioner.Builder#clock} and
 * {@code #sleeper}) and start the devices with {@link #runAll}. Real work (TLS, the Azure SDK, the services) takes no
 * virtual time; virtual time moves only when every device is asleep: then it jumps to the earliest wake-up and wakes
 * every device due within one {@code quantum} of it, so those run concurrently. A sleeping device is never woken
 * before its time. This is how the storm tests show minutes of quotas and Retry-After waits in seconds.
 *
 * <p>For tests and simulations only; a device uses the system clock.
 */
public final class SimulatedFleetTime extends Clock implements Sleeper {

    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Sleeping> sleeping = new PriorityQueue<>();
    private final Duration quantum;
    private volatile Instant now;
    private int running;
    private long sequence;

    private final class Sleeping implements Comparable<Sleeping> {
        final Instant wakeAt;
        final long order = sequence++;
        final Condition woken = lock.newCondition();
        boolean due;

        Sleeping(Instant wakeAt) {
            this.wakeAt = wakeAt;
        }

        @Override
        public int compareTo(Sleeping other) {
            int c = wakeAt.compareTo(other.wakeAt);
            return c != 0 ? c : Long.compare(order, other.order);
        }
    }

    /**
     * @param start the virtual time at which the simulation starts
     * @param quantum devices due within this much of the earliest wake-up are woken together
     */
    public SimulatedFleetTime(Instant start, Duration quantum) {
        this.now = Objects.requireNonNull(start, "start");
        this.quantum = Objects.requireNonNull(quantum, "quantum");
        if (quantum.isNegative()) {
            throw new IllegalArgumentException("quantum must not be negative: " + quantum);
        }
    }

    /**
     * Runs every task on its own thread as a participant in virtual time and returns their results in order; a
     * task that throws yields null and its error is kept in {@code errors}.
     */
    public <T> List<T> runAll(List<Callable<T>> tasks, List<Throwable> errors) throws InterruptedException {
        List<AtomicReference<T>> results = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        lock.lock();
        try {
            running += tasks.size();
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < tasks.size(); i++) {
            Callable<T> task = tasks.get(i);
            AtomicReference<T> result = new AtomicReference<>();
            results.add(result);
            Thread t = new Thread(null, () -> {
                try {
                    result.set(task.call());
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                } finally {
                    finished();
                }
            }, "device-" + i, 512 * 1024);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        List<T> out = new ArrayList<>();
        results.forEach(r -> out.add(r.get()));
        return out;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        lock.lock();
        try {
            Sleeping me = new Sleeping(now.plus(duration));
            sleeping.add(me);
            running--;
            advanceIfAllAsleep();
            while (!me.due) {
                me.woken.await();
            }
        } finally {
            lock.unlock();
        }
    }

    private void finished() {
        lock.lock();
        try {
            running--;
            advanceIfAllAsleep();
        } finally {
            lock.unlock();
        }
    }

    private void advanceIfAllAsleep() {
        if (running > 0 || sleeping.isEmpty()) {
            return;
        }
        Instant horizon = sleeping.peek().wakeAt.plus(quantum);
        Instant latest = now;
        List<Sleeping> batch = new ArrayList<>();
        while (!sleeping.isEmpty() && !sleeping.peek().wakeAt.isAfter(horizon)) {
            Sleeping s = sleeping.poll();
            batch.add(s);
            if (s.wakeAt.isAfter(latest)) {
                latest = s.wakeAt;
            }
        }
        now = latest;
        for (Sleeping s : batch) {
            s.due = true;
            running++;
            s.woken.signal();
        }
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("SimulatedFleetTime runs in UTC only");
    }
}
