package io.multiscope.examples;

import io.multiscope.core.attestation.SasToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** A simulated device that asks the provisioning API where to go, over real HTTPS with a DPS-style SAS token. */
record DemoDevice(String registrationId, String deviceKey, String region) {

    /** How a device can go wrong on purpose, to show the API's refusals. */
    enum Fault { NONE, EXPIRED_TOKEN, FORGED_SIGNATURE, ANOTHER_DEVICES_TOKEN, INVALID_ID, UNKNOWN_REGION }

    HttpResponse<String> requestAssignment(HttpClient http, URI api, String scope, Instant now, Fault fault)
            throws Exception {
        String id = fault == Fault.INVALID_ID ? registrationId.toUpperCase() + "/bad" : registrationId;
        String tokenFor = fault == Fault.ANOTHER_DEVICES_TOKEN ? registrationId + "-other" : registrationId;
        Instant expiry = fault == Fault.EXPIRED_TOKEN ? now.minus(Duration.ofHours(1)) : now.plus(Duration.ofHours(1));
        String key = fault == Fault.FORGED_SIGNATURE ? SasToken.deriveDeviceKey(deviceKey, "forged") : deviceKey;
        String token = SasToken.forDevice(SasToken.deviceResource(scope, tokenFor), key, expiry);
        String wanted = fault == Fault.UNKNOWN_REGION ? "moon-1" : region;
        String body = "{\"registrationId\":\"" + id + "\",\"region\":\"" + wanted + "\"}";
        HttpRequest request = HttpRequest.newBuilder(api.resolve("/v1/assignments"))
                .header("Content-Type", "application/json")
                .header("Authorization", token)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
