package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Calls an enrollment's custom allocation webhook as DPS does: POST an {@code AllocationRequest}, read an
 * {@code AllocationResponse}. Any non-2xx answer, unreadable body or hub outside {@code linkedHubs} fails the
 * registration.
 */
public final class CustomAllocationWebhook {

    /** The registration error code for a failed custom allocation (DPS's wording, this emulator's number). */
    static final int FAILED = 400209;

    private final HttpClient client;
    private final Duration timeout;

    /**
     * @param sslContext trust for {@code https} webhooks
     */
    public CustomAllocationWebhook(SSLContext sslContext, Duration timeout) {
        this.client = HttpClient.newBuilder().sslContext(sslContext).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
    }

    /**
     * @param currentHub the device's current hub when re-provisioning, else {@code null}
     */
    AllocationResult allocate(EnrollmentRecord enrollment, AttestedDevice device, JsonNode devicePayload,
            RegistrationRecord previous, String currentHub, List<String> linkedHubs) {
        ObjectNode request = DpsJson.object();
        request.set(enrollment.group() ? "enrollmentGroup" : "individualEnrollment",
                EnrollmentJson.render(enrollment, null));
        ObjectNode context = request.putObject("deviceRuntimeContext");
        context.put("registrationId", device.registrationId());
        if (currentHub != null) {
            context.put("currentIotHubHostName", currentHub);
            context.put("currentDeviceId", previous != null && previous.deviceId() != null ? previous.deviceId()
                    : device.registrationId());
        }
        context.putObject(device.attestationType());
        if (devicePayload != null && !devicePayload.isNull()) {
            context.set("payload", devicePayload);
        }
        ArrayNode hubs = request.putArray("linkedHubs");
        linkedHubs.forEach(hubs::add);

        HttpResponse<byte[]> response;
        try {
            response = client.send(HttpRequest.newBuilder(URI.create(enrollment.webhookUrl()))
                    .timeout(timeout)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(DpsJson.write(request)))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return new AllocationResult.Failed(FAILED, "Custom allocation failed: the webhook could not be reached ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AllocationResult.Failed(FAILED, "Custom allocation failed: interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            return new AllocationResult.Failed(FAILED,
                    "Custom allocation failed with status code: " + response.statusCode());
        }
        JsonNode body;
        try {
            body = DpsJson.parse(response.body());
        } catch (DpsError e) {
            return new AllocationResult.Failed(FAILED, "Custom allocation failed: the webhook's answer is not JSON");
        }
        JsonNode hub = body.get("iotHubHostName");
        if (hub == null || !hub.isTextual() || hub.textValue().isEmpty()) {
            return new AllocationResult.Failed(FAILED,
                    "Custom allocation failed: the webhook's answer has no iotHubHostName");
        }
        String chosen = linkedHubs.stream().filter(h -> h.equalsIgnoreCase(hub.textValue())).findFirst()
                .orElse(null);
        if (chosen == null) {
            return new AllocationResult.Failed(FAILED, "Custom allocation failed: the webhook chose IoT hub '"
                    + hub.textValue() + "', which is not one of the linked hubs " + linkedHubs);
        }
        JsonNode payload = body.get("payload");
        if (payload != null && !payload.isNull() && !payload.isObject()) {
            return new AllocationResult.Failed(FAILED,
                    "Custom allocation failed: the webhook's payload must be a JSON object");
        }
        JsonNode twin = body.get("initialTwin");
        return new AllocationResult.Allocated(chosen, twin == null || twin.isNull() ? null : twin,
                payload == null || payload.isNull() ? null : payload);
    }
}
