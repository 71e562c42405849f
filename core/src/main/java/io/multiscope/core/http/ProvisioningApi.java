package io.multiscope.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.JsonNode;
import io.multiscope.core.AllocationRejectedException;
import io.multiscope.core.AssignmentRequest;
import io.multiscope.core.AssignmentResult;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsRefusedException;
import io.multiscope.core.DpsUnavailableException;
import io.multiscope.core.InstanceStatus;
import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.ProxyProvisioningService;
import io.multiscope.core.RedirectProvisioning;
import io.multiscope.core.RegistrationRequest;
import io.multiscope.core.RegistrationResult;
import io.multiscope.core.RegistrationIds;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.attestation.AttestationException;
import io.multiscope.core.attestation.AttestationRequest;
import io.multiscope.core.claims.ClaimService;
import io.multiscope.core.dps.DpsCallException;
import io.multiscope.core.internal.http.Problem;
import io.multiscope.core.store.DeviceNotFoundException;
import io.multiscope.core.store.StoreException;
import io.multiscope.core.store.UnknownInstanceException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning API over HTTP, independent of any HTTP server: give it an {@link ApiRequest}, send back the
 * {@link ApiResponse}. {@link ProvisioningHttpServer} runs it on the JDK's HTTPS server; other frameworks need a
 * few lines of adapter.
 *
 * <pre>
 * POST   /v1/assignments                          device asks where to provision (201 new, 200 known, 429 later)
 * GET    /v1/assignments/{registrationId}         device (or admin) looks up its assignment
 * POST   /v1/assignments/{registrationId}/reprovision   device asks to be placed again
 * DELETE /v1/assignments/{registrationId}         admin: deprovision
 * GET    /v1/instances                            admin: instances with load
 * POST   /v1/instances/{instanceId}/drain         admin: take no new devices
 *
 * POST   /v1/registrations                        pattern 2: the proxy registers the device with DPS
 *                                                 (201 new, 200 known, 429 later, 503 its DPS is failing)
 * GET    /v1/registrations/{registrationId}       device (or admin) looks up its registration (hub, device id)
 * DELETE /v1/registrations/{registrationId}       admin: deprovision from DPS and the inventory
 *
 * optional, {@link Builder#claims}: pattern 4
 * POST   /v1/claims                               installer claims a device with its code: 200 signed bundle
 *
 * optional, {@link Builder#dpsCompatibleFront}: the DPS device REST paths for stock Azure SDKs
 * PUT    /{idScope}/registrations/{registrationId}/register
 * GET    /{idScope}/registrations/{registrationId}/operations/{operationId}
 *
 * optional, {@link Builder#redirect}: pattern 3 (transfer of ownership)
 * POST   /v1/dps/allocations                      the factory DPS's custom allocation webhook (function key;
 *                                                 200 redirect, 401, 404 unknown device, 503 no instance)
 * POST   /v1/transfers                            admin: transfer devices to a new owner (200, per-device report)
 * GET    /v1/devices/{registrationId}/ownership   admin: owner, active instance, transfer history
 * </pre>
 *
 * The {@code assignments} routes need a {@link ZeroTouchProvisioning}, the {@code registrations} routes a
 * {@link ProxyProvisioningService}, the pattern-3 routes a {@link RedirectProvisioning}; an API may
 * serve any combination. Errors are {@code application/problem+json} with
 * a stable {@code type} per kind of error; no error changes state. {@link #handleAsync} completes a proxy
 * registration when DPS has answered, so a request waiting for a DPS budget holds no thread.
 */
public final class ProvisioningApi {

    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningApi.class);
    /** Default largest request body: assignment requests are a few hundred bytes. */
    public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;
    private static final String JSON = "application/json";
    private static final String PROBLEM_JSON = "application/problem+json";

    private final ZeroTouchProvisioning service;
    private final ProxyProvisioningService proxy;
    private final DpsCompatibleFront front;
    private final RedirectRoutes redirect;
    private final AdminAuthenticator admin;
    private final ClaimRoutes claims;
    private final int maxBodyBytes;
    // Strict: unknown fields, trailing garbage and numbers where text belongs are errors, not guesses.
    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private ProvisioningApi(ZeroTouchProvisioning service, ProxyProvisioningService proxy, String frontScope,
            AllocationWebhook webhook, AdminAuthenticator admin, int maxBodyBytes, ClaimService claims) {
        this.service = service;
        this.proxy = proxy;
        this.front = frontScope == null ? null : new DpsCompatibleFront(frontScope, proxy, this::problemFor,
                maxBodyBytes);
        this.redirect = webhook == null ? null : new RedirectRoutes(webhook.service(), webhook, this);
        this.admin = admin;
        this.claims = claims == null ? null : new ClaimRoutes(claims, this);
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The API for {@code service}, admin operations disabled, {@value #DEFAULT_MAX_BODY_BYTES}-byte bodies. */
    public static ProvisioningApi of(ZeroTouchProvisioning service) {
        return builder(service).build();
    }

    public static Builder builder(ZeroTouchProvisioning service) {
        return new Builder(Objects.requireNonNull(service, "service"), null);
    }

    /** The API for the proxy (pattern 2) alone, admin operations disabled. */
    public static ProvisioningApi of(ProxyProvisioningService proxy) {
        return builder(proxy).build();
    }

    /** An API serving the proxy (pattern 2); add pattern 1 with {@link Builder#zeroTouch}. */
    public static Builder builder(ProxyProvisioningService proxy) {
        return new Builder(null, Objects.requireNonNull(proxy, "proxy"));
    }

    /**
     * The largest body this API accepts on any route (the allocation webhook's limit when it is larger); adapters
     * stop reading after one byte more.
     */
    public int maxBodyBytes() {
        return redirect == null ? maxBodyBytes : Math.max(maxBodyBytes, redirect.maxBodyBytes());
    }

    /** An API to which patterns are added with the builder's methods; at least one is required. */
    public static Builder builder() {
        return new Builder(null, null);
    }

    /** Handles one request, waiting for a proxy registration to finish; never throws. */
    public ApiResponse handle(ApiRequest request) {
        return handleAsync(request).join();
    }

    /**
     * Handles one request; the future completes when the answer is ready (at once for everything but a proxy
     * registration) and never completes exceptionally.
     */
    public CompletableFuture<ApiResponse> handleAsync(ApiRequest request) {
        CompletableFuture<ApiResponse> response;
        try {
            response = route(request);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failure(e, request));
        }
        return response.handle((r, e) -> e == null ? r : failure(e, request));
    }

    private ApiResponse failure(Throwable thrown, ApiRequest request) {
        return problem(problemFor(thrown, request));
    }

    /** The problem a failure is reported as; shared by the {@code /v1} routes and the DPS-compatible front. */
    Problem problemFor(Throwable thrown, ApiRequest request) {
        Throwable t = thrown;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof Problem p) {
            return p;
        }
        if (t instanceof InvalidRequestException e) {
            return new Problem(400, e.problemType(), "Invalid request", e.getMessage())
                    .with("registrationId", e.registrationId().orElse(null));
        }
        if (t instanceof AttestationException e) {
            return new Problem(401, e.problemType(), "Authentication failed", e.getMessage())
                    .header("WWW-Authenticate", "SharedAccessSignature");
        }
        if (t instanceof AllocationRejectedException e) {
            return new Problem(503, "no-eligible-instance", "No DPS instance can take the device",
                    e.getMessage()).with("registrationId", e.registrationId().orElse(null))
                    .with("exclusions", e.exclusions());
        }
        if (t instanceof DpsUnavailableException e) {
            long seconds = retryAfterSeconds(e.retryAfter());
            return new Problem(503, "dps-unavailable", "DPS instance temporarily unavailable", e.getMessage())
                    .with("registrationId", e.registrationId().orElse(null))
                    .with("instanceId", e.instanceId().orElse(null)).with("retryAfterSeconds", seconds)
                    .header("Retry-After", Long.toString(seconds));
        }
        if (t instanceof DpsRefusedException e) {
            LOG.warn("DPS refused a registration: {}", e.getMessage());
            return new Problem(502, "dps-refused", "DPS refused the registration", e.getMessage())
                    .with("registrationId", e.registrationId().orElse(null))
                    .with("instanceId", e.instanceId().orElse(null));
        }
        if (t instanceof DpsCallException e) {
            return e.isTransient()
                    ? (new Problem(503, "dps-unavailable", "DPS instance temporarily unavailable",
                            e.getMessage()).with("instanceId", e.instanceId().orElse(null)).header("Retry-After", "5"))
                    : (new Problem(502, "dps-refused", "DPS refused the operation", e.getMessage())
                            .with("instanceId", e.instanceId().orElse(null)));
        }
        if (t instanceof UnknownInstanceException e) {
            return new Problem(404, "unknown-instance", "Unknown DPS instance", e.getMessage());
        }
        if (t instanceof DeviceNotFoundException e) {
            return new Problem(404, "assignment-not-found", "No assignment", e.getMessage());
        }
        if (t instanceof StoreException e) {
            LOG.warn("Inventory store failed: {}", e.getMessage(), e);
            return e.isTransient()
                    ? (new Problem(503, "store-unavailable", "Inventory temporarily unavailable",
                            "The inventory store failed temporarily; retry later").header("Retry-After", "5"))
                    : (new Problem(500, "store-failure", "Inventory failure", "The inventory store failed"));
        }
        LOG.warn("Request {} {} failed: {}", request.method(), request.path(), t.getMessage(), t);
        return new Problem(500, "internal", "Internal error", "The request failed unexpectedly");
    }

    private CompletableFuture<ApiResponse> route(ApiRequest request) {
        List<String> segments = segments(request.path());
        if (front != null && front.handles(segments)) {
            return front.handle(request, segments);
        }
        if (redirect != null && redirect.handles(segments)) {
            return CompletableFuture.completedFuture(redirect.handle(request, segments));
        }
        if (segments.size() < 2 || !segments.get(0).equals("v1")) {
            throw notFound(request);
        }
        String collection = segments.get(1);
        if (collection.equals("claims") && claims != null) {
            return claims.handle(request, segments);
        }
        if (collection.equals("registrations")) {
            return registrations(request, segments);
        }
        return CompletableFuture.completedFuture(routeSync(request, segments));
    }

    private ApiResponse routeSync(ApiRequest request, List<String> segments) {
        String collection = segments.get(1);
        if (collection.equals("assignments")) {
            requirePattern1(request);
            if (segments.size() == 2) {
                requireMethod(request, "POST");
                return assign(request);
            }
            String registrationId = segments.get(2);
            if (segments.size() == 3) {
                if (request.method().equals("GET")) {
                    return lookup(request, registrationId);
                }
                requireMethod(request, "GET", "DELETE");
                return deprovision(request, registrationId);
            }
            if (segments.size() == 4 && segments.get(3).equals("reprovision")) {
                requireMethod(request, "POST");
                return reprovision(request, registrationId);
            }
        } else if (collection.equals("instances") && (service != null || proxy != null)) {
            if (segments.size() == 2) {
                requireMethod(request, "GET");
                requireAdmin(request);
                return instances();
            }
            if (segments.size() == 4 && segments.get(3).equals("drain")) {
                requireMethod(request, "POST");
                requireAdmin(request);
                return ok(200, Map.of("instance", instanceJson(service != null ? service.drain(segments.get(2))
                        : proxy.drain(segments.get(2)))));
            }
        }
        throw notFound(request);
    }

    private CompletableFuture<ApiResponse> registrations(ApiRequest request, List<String> segments) {
        if (proxy == null) {
            throw new Problem(404, "pattern-not-enabled", "Not enabled", "This provisioning API does not register "
                    + "devices with DPS itself (pattern 2); ask for an assignment with POST /v1/assignments");
        }
        if (segments.size() == 2) {
            requireMethod(request, "POST");
            RegistrationBody body = readBody(request, RegistrationBody.class);
            if (body == null || body.registrationId() == null) {
                throw new Problem(400, "missing-field", "Missing field", "The body must contain 'registrationId'");
            }
            Optional<String> payload = Optional.empty();
            if (body.payload() != null && !body.payload().isNull()) {
                if (!body.payload().isObject()) {
                    throw new Problem(400, "invalid-payload", "Invalid payload",
                            "'payload' must be a JSON object, e.g. {\"modelId\":\"dtmi:com:example:Sensor;1\"}");
                }
                payload = Optional.of(body.payload().toString());
            }
            AssignmentBody assignment = new AssignmentBody(body.registrationId(), body.region(), body.tenant(),
                    body.attributes());
            RegistrationRequest registration = new RegistrationRequest(
                    toRequest(request, body.registrationId(), assignment), payload);
            return proxy.register(registration).thenApply(this::registrationResult);
        }
        if (segments.size() == 3) {
            String registrationId = segments.get(2);
            String id = RegistrationIds.normalise(registrationId);
            if (request.method().equals("GET")) {
                Optional<DeviceAssignment> found = admin.isAdmin(request) ? proxy.lookup(id)
                        : proxy.lookup(credentials(request, registrationId));
                DeviceAssignment a = found.orElseThrow(() -> new Problem(404, "registration-not-found",
                        "No registration", "Device '" + id + "' is not registered; register it with POST "
                                + "/v1/registrations"));
                return CompletableFuture.completedFuture(ok(200, registrationJson(a, Optional.empty(), false)));
            }
            requireMethod(request, "GET", "DELETE");
            requireAdmin(request);
            if (!proxy.deprovision(id)) {
                throw new Problem(404, "registration-not-found", "No registration",
                        "Device '" + id + "' has no assignment");
            }
            return CompletableFuture.completedFuture(new ApiResponse(204, Map.of(), new byte[0]));
        }
        throw notFound(request);
    }

    private ApiResponse registrationResult(RegistrationResult result) {
        if (result instanceof RegistrationResult.Registered r) {
            return ok(r.newlyRegistered() ? 201 : 200, registrationJson(r.assignment(), r.payloadJson(),
                    r.newlyRegistered()));
        }
        RegistrationResult.Deferred d = (RegistrationResult.Deferred) result;
        long seconds = retryAfterSeconds(d.retryAfter());
        return problem(new Problem(429, "deferred", "Come back later", d.reason())
                .with("registrationId", d.registrationId()).with("retryAfterSeconds", seconds)
                .header("Retry-After", Long.toString(seconds)));
    }

    private Map<String, Object> registrationJson(DeviceAssignment a, Optional<String> payload, boolean newly) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registrationId", a.registrationId());
        m.put("instanceId", a.instanceId());
        m.put("idScope", a.idScope());
        a.assignedHub().ifPresent(h -> m.put("assignedHub", h));
        a.deviceId().ifPresent(d -> m.put("deviceId", d));
        m.put("state", a.state().name());
        a.tenant().ifPresent(t -> m.put("tenant", t));
        if (payload.isPresent()) {
            try {
                m.put("payload", json.readTree(payload.get()));
            } catch (JsonProcessingException e) {
                m.put("payload", payload.get());
            }
        }
        m.put("newlyRegistered", newly);
        return m;
    }

    private void requirePattern1(ApiRequest request) {
        if (service == null) {
            throw new Problem(404, "pattern-not-enabled", "Not enabled", proxy == null
                    ? "This provisioning API does not hand out assignments (pattern 1)"
                    : "This provisioning API registers devices with DPS itself (pattern 2); use POST "
                            + "/v1/registrations instead of " + request.path());
        }
    }

    private ApiResponse assign(ApiRequest request) {
        AssignmentBody body = readBody(request, AssignmentBody.class);
        if (body == null || body.registrationId() == null) {
            throw new Problem(400, "missing-field", "Missing field", "The body must contain 'registrationId'");
        }
        return result(service.requestAssignment(toRequest(request, body.registrationId(), body)));
    }

    private ApiResponse reprovision(ApiRequest request, String registrationId) {
        AssignmentBody body = request.body().length == 0 ? null : readBody(request, AssignmentBody.class);
        if (body != null && body.registrationId() != null
                && !body.registrationId().equalsIgnoreCase(registrationId)) {
            throw new Problem(400, "registration-id-mismatch", "Registration id mismatch",
                    "The body names '" + body.registrationId() + "' but the path names '" + registrationId + "'");
        }
        return result(service.reprovision(toRequest(request, registrationId, body)));
    }

    private ApiResponse lookup(ApiRequest request, String registrationId) {
        String id = RegistrationIds.normalise(registrationId);
        Optional<DeviceAssignment> found = admin.isAdmin(request) ? service.lookup(id)
                : service.lookup(credentials(request, registrationId));
        DeviceAssignment a = found.orElseThrow(() -> new Problem(404, "assignment-not-found", "No assignment",
                "Device '" + id + "' has no assignment yet; request one with POST /v1/assignments"));
        return ok(200, assignmentJson(a, false));
    }

    private ApiResponse deprovision(ApiRequest request, String registrationId) {
        requireAdmin(request);
        String id = RegistrationIds.normalise(registrationId);
        if (!service.deprovision(id)) {
            throw new Problem(404, "assignment-not-found", "No assignment", "Device '" + id + "' has no assignment");
        }
        return new ApiResponse(204, Map.of(), new byte[0]);
    }

    private ApiResponse instances() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (InstanceStatus s : service != null ? service.instances() : proxy.instances()) {
            Map<String, Object> m = instanceJson(s.instance());
            m.put("assignedCount", s.assignedCount());
            m.put("utilisation", s.utilisation());
            m.put("rateHeadroom", s.rateHeadroom());
            list.add(m);
        }
        return ok(200, Map.of("instances", list));
    }

    private ApiResponse result(AssignmentResult result) {
        if (result instanceof AssignmentResult.Assigned a) {
            return ok(a.newlyAssigned() ? 201 : 200, assignmentJson(a.assignment(), a.newlyAssigned()));
        }
        AssignmentResult.Deferred d = (AssignmentResult.Deferred) result;
        long seconds = retryAfterSeconds(d.retryAfter());
        return problem(new Problem(429, "deferred", "Come back later", d.reason())
                .with("registrationId", d.registrationId()).with("retryAfterSeconds", seconds)
                .header("Retry-After", Long.toString(seconds)));
    }

    /** Whole seconds, rounded up, at least 1: HTTP's Retry-After has no fractions. */
    static long retryAfterSeconds(Duration d) {
        long millis = d.toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    private AssignmentRequest toRequest(ApiRequest http, String registrationId, AssignmentBody body) {
        AttestationRequest credentials = credentials(http, registrationId);
        return new AssignmentRequest(credentials,
                Optional.ofNullable(body == null ? null : body.region()),
                Optional.ofNullable(body == null ? null : body.tenant()),
                body == null || body.attributes() == null ? Map.of() : body.attributes());
    }

    private static AttestationRequest credentials(ApiRequest http, String registrationId) {
        return new AttestationRequest(registrationId, http.header("Authorization"), http.clientCertificates());
    }

    <T> T readBody(ApiRequest request, Class<T> type) {
        if (request.bodyTooLarge() || request.body().length > maxBodyBytes) {
            throw new Problem(413, "payload-too-large", "Request body too large",
                    "The request body exceeds " + maxBodyBytes + " bytes");
        }
        String contentType = request.header("Content-Type").orElse("");
        if (!contentType.isEmpty() && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith(JSON)) {
            throw new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "Send the body as " + JSON + ", not '" + contentType + "'");
        }
        if (request.body().length == 0) {
            throw new Problem(400, "malformed-json", "Malformed JSON", "The request body is empty");
        }
        try {
            return json.readValue(request.body(), type);
        } catch (UnrecognizedPropertyException e) {
            throw new Problem(400, "unknown-field", "Unknown field", "The body has a field '" + e.getPropertyName()
                    + "' this API does not know; known fields: " + e.getKnownPropertyIds());
        } catch (MismatchedInputException e) {
            throw new Problem(400, "malformed-json", "Malformed JSON", "A field has the wrong type: "
                    + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new Problem(400, "malformed-json", "Malformed JSON", "The body is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Problem(400, "malformed-json", "Malformed JSON", "The body could not be read");
        }
    }

    void requireAdmin(ApiRequest request) {
        if (!admin.isAdmin(request)) {
            throw new Problem(403, "admin-required", "Admin access required",
                    "This operation needs admin credentials (Authorization: Bearer <admin token>)");
        }
    }

    static void requireMethod(ApiRequest request, String... allowed) {
        for (String m : allowed) {
            if (m.equals(request.method())) {
                return;
            }
        }
        throw new Problem(405, "method-not-allowed", "Method not allowed",
                request.method() + " is not allowed on " + request.path()).header("Allow", String.join(", ", allowed));
    }

    private static Problem notFound(ApiRequest request) {
        return new Problem(404, "not-found", "Not found", "No resource at " + request.path());
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private static Map<String, Object> assignmentJson(DeviceAssignment a, boolean newlyAssigned) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registrationId", a.registrationId());
        m.put("instanceId", a.instanceId());
        m.put("idScope", a.idScope());
        m.put("globalEndpoint", a.globalEndpoint());
        m.put("state", a.state().name());
        a.assignedHub().ifPresent(h -> m.put("assignedHub", h));
        a.deviceId().ifPresent(d -> m.put("deviceId", d));
        a.tenant().ifPresent(t -> m.put("tenant", t));
        m.put("newlyAssigned", newlyAssigned);
        return m;
    }

    private static Map<String, Object> instanceJson(io.multiscope.core.DpsInstance i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("idScope", i.idScope());
        m.put("globalEndpoint", i.globalEndpoint());
        m.put("region", i.region());
        i.tenantPool().ifPresent(p -> m.put("tenantPool", p));
        m.put("state", i.state().name());
        m.put("capacity", i.capacity());
        m.put("registrationsPerMinute", i.registrationsPerMinute());
        return m;
    }

    ApiResponse ok(int status, Object body) {
        return new ApiResponse(status, Map.of("Content-Type", JSON), write(body));
    }

    private ApiResponse problem(Problem p) {
        Map<String, String> headers = new LinkedHashMap<>(p.headers());
        headers.put("Content-Type", PROBLEM_JSON);
        return new ApiResponse(p.status(), headers, write(p.body()));
    }

    private byte[] write(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable", e);
        }
    }

    /** The JSON body of an assignment request. */
    record AssignmentBody(String registrationId, String region, String tenant, Map<String, String> attributes) {
    }

    /** The JSON body of a proxy registration: an assignment request plus an optional payload object for DPS. */
    record RegistrationBody(String registrationId, String region, String tenant, Map<String, String> attributes,
            JsonNode payload) {
    }

    /** Configures a {@link ProvisioningApi}. */
    public static final class Builder {
        private ZeroTouchProvisioning service;
        private ProxyProvisioningService proxy;
        private String frontScope;
        private AllocationWebhook webhook;
        private ClaimService claims;
        private AdminAuthenticator admin = AdminAuthenticator.DISABLED;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

        private Builder(ZeroTouchProvisioning service, ProxyProvisioningService proxy) {
            this.service = service;
            this.proxy = proxy;
        }

        /** Also serve pattern 1 ({@code /v1/assignments}). */
        public Builder zeroTouch(ZeroTouchProvisioning service) {
            this.service = Objects.requireNonNull(service, "service");
            return this;
        }

        /** Also serve pattern 2 ({@code /v1/registrations}). */
        public Builder proxy(ProxyProvisioningService proxy) {
            this.proxy = Objects.requireNonNull(proxy, "proxy");
            return this;
        }

        /**
         * Also serve pattern 3: the factory DPS's custom allocation webhook at {@code POST /v1/dps/allocations}
         * (configure {@code https://<host>/v1/dps/allocations?code=<key>} as the enrollment's webhook URL) and the
         * admin routes {@code POST /v1/transfers} and {@code GET /v1/devices/{id}/ownership}.
         */
        public Builder redirect(RedirectProvisioning service, FunctionKeys keys) {
            this.webhook = AllocationWebhook.of(service, keys);
            return this;
        }

        /**
         * Also serve pattern 4 ({@code POST /v1/claims}): installers claim devices with their claim codes and get
         * signed provisioning bundles. The claim service places devices through its own pattern 1 or 2 service.
         */
        public Builder claims(ClaimService claims) {
            this.claims = Objects.requireNonNull(claims, "claims");
            return this;
        }

        /** Who may use the admin operations; nobody by default. */
        public Builder admin(AdminAuthenticator admin) {
            this.admin = Objects.requireNonNull(admin, "admin");
            return this;
        }

        public Builder maxBodyBytes(int maxBodyBytes) {
            if (maxBodyBytes < 256) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 256, was " + maxBodyBytes);
            }
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * Also serve the DPS device REST paths ({@code PUT /{idScope}/registrations/{id}/register} and the operation
         * status poll) for the proxy, so devices running the stock Azure device SDK over HTTPS can use the API's host
         * as their global endpoint and {@code idScope} as their ID scope, unchanged. Devices sign their SAS tokens for
         * {@code {idScope}/registrations/{id}}: configure the proxy's {@code SymmetricKeyAttestation} with that scope.
         */
        public Builder dpsCompatibleFront(String idScope) {
            java.util.Objects.requireNonNull(idScope, "idScope");
            if (!idScope.matches("[A-Za-z0-9]{1,64}") || idScope.equals("v1")) {
                throw new IllegalArgumentException("the front's ID scope must be 1-64 letters and digits (not 'v1'), "
                        + "was '" + idScope + "'");
            }
            this.frontScope = idScope;
            return this;
        }

        public ProvisioningApi build() {
            if (frontScope != null && proxy == null) {
                throw new IllegalStateException("the DPS-compatible front needs the proxy (pattern 2)");
            }
            if (service == null && proxy == null && webhook == null && claims == null) {
                throw new IllegalStateException("the API serves no pattern: add zeroTouch(...), proxy(...), "
                        + "redirect(...) or claims(...)");
            }
            return new ProvisioningApi(service, proxy, frontScope, webhook, admin, maxBodyBytes, claims);
        }
    }
}
