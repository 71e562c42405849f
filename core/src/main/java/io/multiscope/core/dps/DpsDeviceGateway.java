package io.multiscope.core.dps;

import io.multiscope.core.DpsInstance;
import java.util.Optional;

/**
 * Registers a device with one DPS instance, as the device itself would. The proxy (pattern 2) calls it on the
 * device's behalf; {@link AzureSdkDeviceGateway} does it through the Azure provisioning device client.
 */
public interface DpsDeviceGateway {

    /**
     * Registers {@code registrationId} with {@code instance}, signing with {@code deviceKeyBase64} (the key DPS derives
     * from the enrollment group key). Blocks until DPS answers.
     *
     * @param payloadJson a custom payload (a JSON object) for DPS and its allocation webhook, if any
     * @throws DpsCallException if DPS refused, failed or did not answer; {@link DpsCallException#isTransient()} says
     *     whether to try again
     */
    DpsRegistration register(DpsInstance instance, String registrationId, String deviceKeyBase64,
            Optional<String> payloadJson);
}
