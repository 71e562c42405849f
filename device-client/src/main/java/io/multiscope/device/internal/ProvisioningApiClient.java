package io.multiscope.device.internal;

import io.multiscope.device.ProvisioningEvent.Step;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The device side of Multiscope's provisioning API (pattern 1): look up the device's assignment, request one, or
 * ask to be placed again. Each call authenticates with a SAS token over {@code {scope}/registrations/{id}}, or with
 * the device certificate in the TLS handshake.
 */
final class ProvisioningApiClient {

    /** As long as the Azure SDK signs its own tokens for. */
    static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
    private static final String NOT_FOUND_TYPE = "/assignment-not-found";

    private final URI assignments;
    private final String scope;
    private final DeviceCredentials credentials;
    private final HttpsCaller http;
    private final Clock clock;
    private final Map<String, Object> placementHints;

    /**
     * @param placementHints {@code region}, {@code tenant}, {@code attributes} as the API takes them; may be empty
     */
    ProvisioningApiClient(URI base, String scope, DeviceCredentials credentials, HttpsCaller http, Clock clock,
            Map<String, Object> placementHints) {
        String text = base.toString();
        this.assignments = URI.create((text.endsWith("/") ? text.substring(0, text.length() - 1) : text)
                + "/v1/assignments");
        this.scope = scope;
        this.credentials = credentials;
        this.http = http;
        this.clock = clock;
        this.placementHints = placementHints;
    }

    /** {@code GET /v1/assignments/{id}}: the device's assignment, or empty if it has none yet. */
    Optional<Assignment> lookup() throws AttemptFailure {
        HttpsCaller.Response r = send("GET", device(), null, Step.API_LOOKUP);
        if (r.status() == 404 && isNotFoundProblem(r.body())) {
            return Optional.empty();
        }
        return Optional.of(assignment(r, Step.API_LOOKUP));
    }

    /** {@code POST /v1/assignments}: place the device (201) or get its existing place back (200). */
    Assignment request() throws AttemptFailure {
        return assignment(send("POST", assignments, body(), Step.API_REQUEST), Step.API_REQUEST);
    }

    /** {@code POST /v1/assignments/{id}/reprovision}: place the device again; it may move. */
    Assignment reprovision() throws AttemptFailure {
        URI uri = URI.create(device() + "/reprovision");
        return assignment(send("POST", uri, body(), Step.API_REPROVISION), Step.API_REPROVISION);
    }

    private URI device() {
        return URI.create(assignments + "/" + credentials.registrationId());
    }

    private String body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("registrationId", credentials.registrationId());
        body.putAll(placementHints);
        return Json.write(body);
    }

    private HttpsCaller.Response send(String method, URI uri, String body, Step step) throws AttemptFailure {
        Instant now = clock.instant();
        Map<String, String> headers = new LinkedHashMap<>();
        credentials.authorization(SasTokens.resource(scope, credentials.registrationId()), now.plus(TOKEN_LIFETIME))
                .ifPresent(token -> headers.put("Authorization", token));
        try {
            return http.send(method, uri, headers, body);
        } catch (IOException e) {
            throw Failures.io(step, e);
        }
    }

    private Assignment assignment(HttpsCaller.Response r, Step step) throws AttemptFailure {
        if (r.status() != 200 && r.status() != 201) {
            throw Failures.http(step, r.status(), r.header("Retry-After"), r.body(), clock.instant());
        }
        Map<String, Object> json;
        String idScope;
        String endpoint;
        try {
            json = Json.parseObject(r.body());
            idScope = Json.string(json, "idScope");
            endpoint = Json.string(json, "globalEndpoint");
        } catch (IllegalArgumentException e) {
            throw Failures.badAnswer(step, e.getMessage());
        }
        if (idScope == null || idScope.isBlank() || endpoint == null || endpoint.isBlank()) {
            throw Failures.badAnswer(step, "the assignment lacks 'idScope' or 'globalEndpoint'");
        }
        Object instance = json.get("instanceId");
        Object state = json.get("state");
        return new Assignment(instance instanceof String ? (String) instance : null, idScope, endpoint,
                state instanceof String ? (String) state : null);
    }

    private static boolean isNotFoundProblem(String body) {
        try {
            Object type = Json.parseObject(body).get("type");
            return type instanceof String && ((String) type).endsWith(NOT_FOUND_TYPE);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
