package io.multiscope.testkit;

import com.microsoft.azure.sdk.iot.provisioning.device.AdditionalData;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProvider;

/** Registers one device through the real Azure device SDK (HTTPS unless said otherwise). */
final class SdkDevice {

    /** Generous, for loaded build machines: a realistic registration takes 2 to 5 s; a hang (the SDK's failure mode) still shows up as a timeout. */
    static final int TIMEOUT_SECONDS = 60;

    private SdkDevice() {
    }

    static ProvisioningDeviceClientRegistrationResult register(String endpoint, String idScope,
            SecurityProvider provider) throws Exception {
        return register(endpoint, idScope, provider, null);
    }

    static ProvisioningDeviceClientRegistrationResult register(String endpoint, String idScope,
            SecurityProvider provider, String payload) throws Exception {
        return register(ProvisioningDeviceClientTransportProtocol.HTTPS, endpoint, idScope, provider, payload);
    }

    static ProvisioningDeviceClientRegistrationResult register(ProvisioningDeviceClientTransportProtocol protocol,
            String endpoint, String idScope, SecurityProvider provider, String payload) throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(endpoint, idScope, protocol, provider);
        try {
            if (payload == null) {
                return client.registerDeviceSync(TIMEOUT_SECONDS);
            }
            AdditionalData data = new AdditionalData();
            data.setProvisioningPayload(payload);
            return client.registerDeviceSync(data, TIMEOUT_SECONDS);
        } finally {
            client.close();
        }
    }
}
