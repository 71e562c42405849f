package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import io.multiscope.testkit.AllocationPolicy;
import io.multiscope.testkit.LinkedHub;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Picks the IoT hub for a registering device according to its enrollment's allocation policy. */
final class HubAllocator {

    /** The registration error code when no hub can be picked (this emulator's number). */
    static final int NO_HUB = 400208;

    private final CustomAllocationWebhook webhook;

    HubAllocator(CustomAllocationWebhook webhook) {
        this.webhook = webhook;
    }

    /**
     * @param currentHub the hub the device has now, or {@code null} on first registration
     * @param keepCurrentHub whether the reprovision policy forbids moving the device
     */
    AllocationResult allocate(InstanceRuntime instance, AttestedDevice device, JsonNode devicePayload,
            RegistrationRecord previous, String currentHub, boolean keepCurrentHub) {
        EnrollmentRecord enrollment = device.enrollment();
        AllocationPolicy policy = enrollment.allocationPolicy() != null ? enrollment.allocationPolicy()
                : instance.settings().allocationPolicy();
        if (policy == AllocationPolicy.CUSTOM) {
            List<String> offered = keepCurrentHub ? List.of(currentHub)
                    : !enrollment.iotHubs().isEmpty() ? enrollment.iotHubs()
                    : instance.linkedHubs().stream().map(LinkedHub::hostName).toList();
            return webhook.allocate(enrollment, device, devicePayload, previous, currentHub, offered);
        }
        if (keepCurrentHub) {
            return new AllocationResult.Allocated(currentHub, null, null);
        }
        if (policy == AllocationPolicy.STATIC) {
            String hub = enrollment.iotHubHostName() != null ? enrollment.iotHubHostName()
                    : enrollment.iotHubs().isEmpty() ? null : enrollment.iotHubs().get(0);
            Optional<LinkedHub> linked = hub == null ? Optional.empty() : instance.linkedHub(hub);
            return linked.<AllocationResult>map(h -> new AllocationResult.Allocated(h.hostName(), null, null))
                    .orElseGet(() -> new AllocationResult.Failed(NO_HUB, "Static allocation failed: the IoT hub '"
                            + hub + "' is not linked to this DPS instance"));
        }
        // HASHED, and GEO_LATENCY which the emulator treats as hashed.
        List<LinkedHub> candidates = candidates(instance, enrollment);
        if (candidates.isEmpty()) {
            return new AllocationResult.Failed(NO_HUB, "No linked IoT hub is available for allocation: every "
                    + "candidate hub has 'apply allocation policy' switched off or is no longer linked");
        }
        return new AllocationResult.Allocated(weightedRendezvous(device.registrationId(), candidates), null, null);
    }

    private static List<LinkedHub> candidates(InstanceRuntime instance, EnrollmentRecord enrollment) {
        List<LinkedHub> result = new ArrayList<>();
        if (enrollment.iotHubs().isEmpty()) {
            instance.linkedHubs().stream().filter(LinkedHub::applyAllocationPolicy).forEach(result::add);
        } else {
            for (String name : enrollment.iotHubs()) {
                instance.linkedHub(name).filter(LinkedHub::applyAllocationPolicy).ifPresent(result::add);
            }
        }
        return result;
    }

    /**
     * Weighted rendezvous hashing: stable for a device while the candidate set stays the same, each hub chosen in
     * proportion to its weight, and adding or removing a hub only moves the devices that must move.
     */
    static String weightedRendezvous(String registrationId, List<LinkedHub> hubs) {
        String id = registrationId.toLowerCase(Locale.ROOT);
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (LinkedHub hub : hubs) {
            long h = fnv1a64(id + "\u0000" + hub.hostName().toLowerCase(Locale.ROOT));
            double unit = ((mix(h) >>> 11) + 0.5) / (1L << 53);
            double score = -hub.weight() / Math.log(unit);
            if (score > bestScore) {
                bestScore = score;
                best = hub.hostName();
            }
        }
        return best;
    }

    private static long fnv1a64(String s) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
