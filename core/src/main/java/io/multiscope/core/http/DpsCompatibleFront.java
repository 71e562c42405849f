package io.multiscope.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.AssignmentRequest;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.ProxyProvisioningService;
import io.multiscope.core.RegistrationRequest;
import io.multiscope.core.RegistrationResult;
import io.multiscope.core.attestation.AttestationRequest;
import io.multiscope.core.internal.http.Problem;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * The DPS device REST paths in front of the proxy, so devices running the stock Azure device SDK can point their
 * global endpoint at the provisioning API unchanged: {@code PUT /{idScope}/registrations/{id}/register} and
 * {@code GET /{idScope}/registrations/{id}/operations/{operationId}}, HTTPS only (the SDK's HTTP transport).
 *
 * <p>The ID scope is the proxy's own name for itself; the device signs its SAS token for
 * {@code {idScope}/registrations/{id}}, which a {@code SymmetricKeyAttestation} with that scope verifies. The register
 * call answers {@code 200 assigned} with the full registration state once the proxy has registered the device with the
 * real DPS instance (the SDK's fast path: no poll); a deferral is a {@code 429} with an integer {@code Retry-After}, and
 * other errors carry DPS's error body. Note the Java SDK never retries: a device gets the 429 as a failure and must
 * back off itself. MQTT and AMQP are not served.
 */
final class DpsCompatibleFront {

    private final String idScope;
    private final ProxyProvisioningService proxy;
    private final ObjectMapper json = new ObjectMapper();
    private final BiFunction<Throwable, ApiRequest, Problem> problems;
    private final int maxBodyBytes;

    DpsCompatibleFront(String idScope, ProxyProvisioningService proxy,
            BiFunction<Throwable, ApiRequest, Problem> problems, int maxBodyBytes) {
        this.idScope = idScope;
        this.proxy = proxy;
        this.problems = problems;
        this.maxBodyBytes = maxBodyBytes;
    }

    boolean handles(List<String> segments) {
        return segments.size() >= 4 && segments.get(0).equalsIgnoreCase(idScope)
                && segments.get(1).equals("registrations");
    }

    /** Never throws and never completes exceptionally: every failure becomes a DPS error answer. */
    CompletableFuture<ApiResponse> handle(ApiRequest request, List<String> segments) {
        try {
            String registrationId = segments.get(2);
            if (segments.size() == 4 && segments.get(3).equals("register")) {
                requireMethod(request, "PUT");
                return register(request, registrationId).handle((r, e) -> e == null ? r : error(e, request));
            }
            if (segments.size() == 5 && segments.get(3).equals("operations")) {
                requireMethod(request, "GET");
                return CompletableFuture.completedFuture(status(request, registrationId));
            }
            throw new Problem(404, "not-found", "Not found", "Unknown DPS device API path " + request.path());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(error(e, request));
        }
    }

    private CompletableFuture<ApiResponse> register(ApiRequest request, String registrationId) {
        if (request.bodyTooLarge() || request.body().length > maxBodyBytes) {
            throw new Problem(413, "payload-too-large", "Request body too large", "The request body exceeds "
                    + maxBodyBytes + " bytes");
        }
        JsonNode body = parse(request.body());
        JsonNode sentId = body.get("registrationId");
        if (sentId != null && !sentId.isNull() && !sentId.asText().equalsIgnoreCase(registrationId)) {
            throw new Problem(400, "registration-id-mismatch", "Registration id mismatch", "The body names "
                    + sentId + " but the path names '" + registrationId + "'");
        }
        if (body.hasNonNull("tpm")) {
            throw new Problem(401, "authentication-required", "Unsupported attestation",
                    "TPM attestation is not supported by this provisioning API");
        }
        RegistrationRequest registration = new RegistrationRequest(AssignmentRequest.of(credentials(request,
                registrationId)), payload(body.get("payload")));
        return proxy.register(registration).thenApply(this::answer);
    }

    private ApiResponse status(ApiRequest request, String registrationId) {
        Optional<DeviceAssignment> found = proxy.lookup(credentials(request, registrationId));
        DeviceAssignment a = found.filter(x -> x.assignedHub().isPresent()).orElseThrow(() -> new Problem(404,
                "registration-not-found", "No registration", "Device '" + registrationId
                        + "' has no registration; register it first"));
        return json(200, assigned(a, Optional.empty()), Map.of());
    }

    private ApiResponse answer(RegistrationResult result) {
        if (result instanceof RegistrationResult.Registered r) {
            return json(200, assigned(r.assignment(), r.payloadJson()), Map.of());
        }
        RegistrationResult.Deferred d = (RegistrationResult.Deferred) result;
        long seconds = ProvisioningApi.retryAfterSeconds(d.retryAfter());
        return json(429, errorBody(429, d.reason()), Map.of("Retry-After", Long.toString(seconds)));
    }

    private ObjectNode assigned(DeviceAssignment a, Optional<String> payload) {
        ObjectNode state = json.createObjectNode();
        state.put("registrationId", a.registrationId());
        state.put("createdDateTimeUtc", a.createdAt().toString());
        state.put("assignedHub", a.assignedHub().orElseThrow());
        state.put("deviceId", a.deviceId().orElseThrow());
        state.put("status", "assigned");
        state.put("substatus", "initialAssignment");
        state.put("lastUpdatedDateTimeUtc", a.updatedAt().toString());
        state.put("etag", "\"" + a.version() + "\"");
        if (payload.isPresent()) {
            JsonNode p = parseOrNull(payload.get());
            if (p != null && p.isObject()) {
                state.set("payload", p); // the SDK reads it as an object, never as a string
            }
        }
        ObjectNode operation = json.createObjectNode();
        // The SDK requires an operation id even on an immediate "assigned"; one per device is enough to poll by.
        operation.put("operationId", "multiscope." + a.registrationId());
        operation.put("status", "assigned");
        operation.set("registrationState", state);
        return operation;
    }

    private ApiResponse error(Throwable e, ApiRequest request) {
        Problem p = problems.apply(e, request);
        Map<String, String> headers = new LinkedHashMap<>(p.headers());
        headers.remove("WWW-Authenticate");
        return json(p.status(), errorBody(p.status(), p.getMessage()), headers);
    }

    /** DPS's error body: status × 1000 + n, a tracking id, the message, the time. */
    private ObjectNode errorBody(int status, String message) {
        ObjectNode body = json.createObjectNode();
        body.put("errorCode", status * 1000 + 1);
        body.put("trackingId", UUID.randomUUID().toString());
        body.put("message", message);
        body.put("timestampUtc", Instant.now().toString());
        return body;
    }

    /** A device sends the payload as an object, or (the Java SDK) as a string holding the JSON. */
    private Optional<String> payload(JsonNode payload) {
        if (payload == null || payload.isNull()) {
            return Optional.empty();
        }
        JsonNode value = payload.isTextual() ? parseOrNull(payload.textValue()) : payload;
        if (value == null || !value.isObject()) {
            throw new Problem(400, "invalid-payload", "Invalid payload", "'payload' must be a JSON object");
        }
        return Optional.of(value.toString());
    }

    private static AttestationRequest credentials(ApiRequest http, String registrationId) {
        return new AttestationRequest(registrationId, http.header("Authorization"), http.clientCertificates());
    }

    private JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return json.createObjectNode();
        }
        JsonNode node = parseOrNull(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        if (node == null || !node.isObject()) {
            throw new Problem(400, "malformed-json", "Malformed JSON", "The body is not a JSON object");
        }
        return node;
    }

    private JsonNode parseOrNull(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private static void requireMethod(ApiRequest request, String method) {
        if (!request.method().equals(method)) {
            throw new Problem(405, "method-not-allowed", "Method not allowed", request.method()
                    + " is not allowed on " + request.path()).header("Allow", method);
        }
    }

    private ApiResponse json(int status, JsonNode body, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", "application/json; charset=utf-8");
        try {
            return new ApiResponse(status, all, json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable", e);
        }
    }
}
