package io.multiscope.examples;

import io.multiscope.device.ProvisioningResult;
import io.multiscope.device.SimulatedFleetTime;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EmulatedDpsInstance;
import io.multiscope.testkit.RegistrationView;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** Runs a demo fleet's devices in simulated time behind a progress bar, and reads what the emulated DPS saw. */
final class DemoFleet {

    /** What one device does (boot, reprovision, apply a bundle then boot). */
    @FunctionalInterface
    interface DeviceTask {
        ProvisioningResult run(String registrationId) throws Exception;
    }

    private DemoFleet() {
    }

    /** One thread per device in {@code time}; any device failing unexpectedly fails the demo. */
    static List<ProvisioningResult> run(PrintStream out, SimulatedFleetTime time, String label, List<String> ids,
            DeviceTask task) throws Exception {
        ProgressBar bar = new ProgressBar(out, "  " + label, ids.size());
        List<Callable<ProvisioningResult>> tasks = new ArrayList<>();
        for (String id : ids) {
            tasks.add(() -> {
                ProvisioningResult result = task.run(id);
                bar.step();
                return result;
            });
        }
        List<Throwable> errors = new ArrayList<>();
        List<ProvisioningResult> results = time.runAll(tasks, errors);
        bar.finish();
        if (!errors.isEmpty()) {
            throw new IllegalStateException(errors.size() + " devices failed unexpectedly", errors.get(0));
        }
        return results;
    }

    /** Assigned registrations per DPS instance, as DPS itself lists them. */
    static Map<String, Long> assignedRegistrations(DpsEmulator dps) {
        Map<String, Long> counts = new TreeMap<>();
        for (EmulatedDpsInstance i : dps.instances()) {
            counts.put(i.name(), i.registrations().stream().filter(RegistrationView::isAssigned).count());
        }
        return counts;
    }

    /** Every request the emulated DPS instances answered. */
    static long requests(DpsEmulator dps) {
        return dps.instances().stream().mapToLong(i -> i.counters().total()).sum();
    }

    /** Registration requests (register calls) the emulated DPS instances answered. */
    static long registrationRequests(DpsEmulator dps) {
        return dps.instances().stream().mapToLong(i -> i.counters().registrations()).sum();
    }
}
