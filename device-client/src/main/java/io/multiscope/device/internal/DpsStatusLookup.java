package io.multiscope.device.internal;

import io.multiscope.device.ProvisioningEvent.Step;
import io.multiscope.device.ProvisioningResult;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * DPS's "Device Registration Status Lookup" ({@code POST /{idScope}/registrations/{id}?api-version=2019-03-31}),
 * which the Azure Java device SDK does not offer: is the device already assigned? It is not billed and has its own
 * quota, so asking first is cheaper than registering again when the device lost its state.
 */
final class DpsStatusLookup {

    static final String API_VERSION = "2019-03-31";

    private final DeviceCredentials credentials;
    private final HttpsCaller http;
    private final Clock clock;

    DpsStatusLookup(DeviceCredentials credentials, HttpsCaller http, Clock clock) {
        this.credentials = credentials;
        this.http = http;
        this.clock = clock;
    }

    /** The device's assignment on that DPS instance, or empty if it has none (never registered, or not assigned). */
    Optional<ProvisioningResult> lookup(String globalEndpoint, String idScope) throws AttemptFailure {
        String id = credentials.registrationId();
        URI uri;
        try {
            uri = URI.create("https://" + globalEndpoint + "/" + idScope + "/registrations/" + id + "?api-version="
                    + API_VERSION);
        } catch (IllegalArgumentException e) {
            throw Failures.permanent(Step.DPS_STATUS_LOOKUP, "the DPS endpoint '" + globalEndpoint
                    + "' and ID scope '" + idScope + "' do not form a valid URL");
        }
        Instant now = clock.instant();
        Map<String, String> headers = new LinkedHashMap<>();
        credentials.authorization(SasTokens.resource(idScope, id), now.plus(ProvisioningApiClient.TOKEN_LIFETIME))
                .ifPresent(token -> headers.put("Authorization", token));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("registrationId", id);
        HttpsCaller.Response r;
        try {
            r = http.send("POST", uri, headers, Json.write(body));
        } catch (IOException e) {
            throw Failures.io(Step.DPS_STATUS_LOOKUP, e);
        }
        if (r.status() == 404) {
            return Optional.empty();
        }
        if (r.status() != 200) {
            throw Failures.http(Step.DPS_STATUS_LOOKUP, r.status(), r.header("Retry-After"), r.body(), now);
        }
        try {
            Map<String, Object> state = Json.parseObject(r.body());
            String hub = Json.string(state, "assignedHub");
            String deviceId = Json.string(state, "deviceId");
            if (!"assigned".equalsIgnoreCase(Json.string(state, "status")) || hub == null || hub.isBlank()
                    || deviceId == null || deviceId.isBlank()) {
                return Optional.empty();
            }
            // DPS returns the payload as an object; take a string (JSON text, as the SDK sends it) as it is.
            Object payload = state.get("payload");
            String payloadText = payload instanceof Map ? Json.write(payload)
                    : payload instanceof String ? (String) payload : null;
            return Optional.of(ProvisioningResult.provisioned(id, hub, deviceId, globalEndpoint, idScope,
                    payloadText, now, ProvisioningResult.Source.STATUS_LOOKUP));
        } catch (IllegalArgumentException e) {
            throw Failures.badAnswer(Step.DPS_STATUS_LOOKUP, e.getMessage());
        }
    }
}
