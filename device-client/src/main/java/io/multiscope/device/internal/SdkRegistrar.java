package io.multiscope.device.internal;

import com.microsoft.azure.sdk.iot.provisioning.device.AdditionalData;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceClientException;
import io.multiscope.device.ProvisioningEvent.Step;
import io.multiscope.device.ProvisioningResult;
import io.multiscope.device.Transport;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/** One DPS registration through the Azure device SDK, its outcome or its failure classified. */
final class SdkRegistrar {

    /** "host:port" (but not a bare IPv6 literal in brackets). */
    private static final Pattern HAS_PORT = Pattern.compile(".*[^:]:\\d+$");

    private final DeviceCredentials credentials;
    private final SSLContext tls;
    private final Transport transport;
    private final int timeoutSeconds;
    private final String payload;
    private final Clock clock;

    /** @param payload the custom payload (JSON text) sent with the registration, or null */
    SdkRegistrar(DeviceCredentials credentials, SSLContext tls, Transport transport, Duration timeout, String payload,
            Clock clock) {
        this.credentials = credentials;
        this.tls = tls;
        this.transport = transport;
        this.timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.getSeconds()));
        this.payload = payload;
        this.clock = clock;
    }

    ProvisioningResult register(String globalEndpoint, String idScope) throws AttemptFailure, InterruptedException {
        if (transport == Transport.MQTT && HAS_PORT.matcher(globalEndpoint).matches()) {
            throw Failures.permanent(Step.DPS_REGISTER, "the DPS endpoint '" + globalEndpoint + "' names a port, "
                    + "but the Azure SDK's MQTT transport always connects to port 8883; use HTTPS, or an endpoint "
                    + "without a port");
        }
        ProvisioningDeviceClient client;
        try {
            client = ProvisioningDeviceClient.create(globalEndpoint, idScope, protocol(), 
                    credentials.securityProvider(tls));
        } catch (ProvisioningDeviceClientException | IllegalArgumentException e) {
            throw Failures.permanent(Step.DPS_REGISTER, "the Azure SDK refused the DPS settings (endpoint '"
                    + globalEndpoint + "', ID scope '" + idScope + "'): " + e.getMessage());
        }
        try {
            ProvisioningDeviceClientRegistrationResult r;
            if (payload == null) {
                r = client.registerDeviceSync(timeoutSeconds);
            } else {
                AdditionalData data = new AdditionalData();
                data.setProvisioningPayload(payload);
                r = client.registerDeviceSync(data, timeoutSeconds);
            }
            if (r == null || r.getProvisioningDeviceClientStatus() != ProvisioningDeviceClientStatus
                    .PROVISIONING_DEVICE_STATUS_ASSIGNED || isBlank(r.getIothubUri()) || isBlank(r.getDeviceId())) {
                throw Failures.badAnswer(Step.DPS_REGISTER, "the registration ended "
                        + (r == null ? "without a result" : r.getProvisioningDeviceClientStatus() + " without a hub"));
            }
            return ProvisioningResult.provisioned(credentials.registrationId(), r.getIothubUri(), r.getDeviceId(),
                    globalEndpoint, idScope, r.getProvisioningPayload(), clock.instant(),
                    ProvisioningResult.Source.REGISTERED);
        } catch (ProvisioningDeviceClientException | RuntimeException e) {
            throw Failures.sdk(Step.DPS_REGISTER, e);
        } finally {
            client.close();
        }
    }

    private ProvisioningDeviceClientTransportProtocol protocol() {
        return transport == Transport.MQTT ? ProvisioningDeviceClientTransportProtocol.MQTT
                : ProvisioningDeviceClientTransportProtocol.HTTPS;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
