package io.multiscope.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.AllocationRejectedException;
import io.multiscope.core.DpsUnavailableException;
import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.RedirectProvisioning;
import io.multiscope.core.RedirectTarget;
import io.multiscope.core.RegistrationIds;
import io.multiscope.core.internal.http.Problem;
import io.multiscope.core.ownership.OwnershipNotFoundException;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.StoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The custom allocation webhook of a factory DPS (pattern 3), independent of any HTTP server: DPS posts its
 * {@code AllocationRequest}, the handler answers with a staging hub from {@code linkedHubs} and a payload that
 * redirects the device to its owner's DPS instance:
 *
 * <pre>{@code
 * 200 {"iotHubHostName": "<staging hub>",
 *      "payload": {"redirect": {"version": 1, "globalEndpoint": "<DPS device endpoint>", "idScope": "<ID scope>"}}}
 * }</pre>
 *
 * DPS copies {@code payload} into the device's registration result; the device registers again at the named DPS.
 * Only the redirect is returned: a payload the device sent is not echoed back (the device has it, and the target DPS
 * receives it when the device registers there), so nothing the device sends can shape the redirect it gets.
 *
 * <p>Every call must carry one of the {@link FunctionKeys} ({@code ?code=} in the webhook URL, or the
 * {@code x-functions-key} header); otherwise the answer is {@code 401} and nothing is read or recorded. Refusals are
 * {@code application/problem+json} with a non-2xx status, so DPS fails the device's registration:
 * <ul>
 *   <li>{@code 400} malformed request (not JSON, no {@code deviceRuntimeContext.registrationId}, {@code linkedHubs}
 *       missing or not a list of host names, an invalid registration id) or an empty {@code linkedHubs};</li>
 *   <li>{@code 401} missing or wrong function key; {@code 405} not a {@code POST}; {@code 413} body too large;</li>
 *   <li>{@code 404} device not in the ownership registry (unless unknown devices go to a default owner);</li>
 *   <li>{@code 503} none of the owner's DPS instances can take the device, or the store is failing.</li>
 * </ul>
 * Unknown fields are ignored, and the device's current hub is read under either spelling DPS documents
 * ({@code currentIotHubHostName}, {@code currentIoTHubHostname}).
 *
 * <p>Mount it with {@link ProvisioningApi.Builder#redirect} ({@code POST /v1/dps/allocations}), or call
 * {@link #handle} from any HTTP framework or an Azure Function. Thread-safe.
 */
public final class AllocationWebhook {

    private static final Logger LOG = LoggerFactory.getLogger(AllocationWebhook.class);
    /** DPS's message size limit; an AllocationRequest carries the whole enrollment record. */
    public static final int DEFAULT_MAX_BODY_BYTES = 96 * 1024;
    /** The version of the redirect payload this handler writes. */
    public static final int REDIRECT_VERSION = 1;
    private static final String CURRENT_HUB = "currentIotHubHostName";

    private final RedirectProvisioning service;
    private final FunctionKeys keys;
    private final int maxBodyBytes;
    private final ObjectMapper json = new ObjectMapper();

    private AllocationWebhook(RedirectProvisioning service, FunctionKeys keys, int maxBodyBytes) {
        this.service = Objects.requireNonNull(service, "service");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.maxBodyBytes = maxBodyBytes;
    }

    /** A webhook for {@code service} accepting {@code keys}, with {@value #DEFAULT_MAX_BODY_BYTES}-byte bodies. */
    public static AllocationWebhook of(RedirectProvisioning service, FunctionKeys keys) {
        return new AllocationWebhook(service, keys, DEFAULT_MAX_BODY_BYTES);
    }

    /** This webhook with another body limit (1 KiB to 1 MiB). */
    public AllocationWebhook withMaxBodyBytes(int limit) {
        if (limit < 1024 || limit > 1024 * 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be 1 KiB to 1 MiB, was " + limit);
        }
        return new AllocationWebhook(service, keys, limit);
    }

    RedirectProvisioning service() {
        return service;
    }

    /** The largest body accepted; adapters stop reading after one byte more. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Handles one call from DPS; never throws. The path is not looked at. */
    public ApiResponse handle(ApiRequest request) {
        Objects.requireNonNull(request, "request");
        try {
            return answer(request);
        } catch (RuntimeException e) {
            return problem(problemFor(e, request));
        }
    }

    private ApiResponse answer(ApiRequest request) {
        if (!request.method().equals("POST")) {
            throw new Problem(405, "method-not-allowed", "Method not allowed", "The allocation webhook takes POST, "
                    + "not " + request.method()).header("Allow", "POST");
        }
        Optional<String> presented = FunctionKeys.presented(request);
        if (presented.isEmpty() || !keys.matches(presented.get())) {
            LOG.warn("Refused an allocation webhook call with {} function key", presented.isEmpty() ? "no"
                    : "a wrong");
            throw new Problem(401, "invalid-function-key", "Function key required", presented.isEmpty()
                    ? "The call carries no function key (?code=<key> or the x-functions-key header)"
                    : "The function key is not accepted");
        }
        if (request.bodyTooLarge() || request.body().length > maxBodyBytes) {
            throw new Problem(413, "payload-too-large", "Request body too large", "The allocation request exceeds "
                    + maxBodyBytes + " bytes");
        }
        AllocationCall call = parse(request.body());
        String id = RegistrationIds.normalise(call.registrationId());
        if (call.linkedHubs().isEmpty()) {
            throw new InvalidRequestException("no-linked-hub", "The factory DPS offered no linked IoT hub for device '"
                    + id + "'; link a staging hub to it", id);
        }
        RedirectTarget target = service.allocate(id);
        String hub = service.stagingHub(id, call.linkedHubs(), call.currentHub());
        ObjectNode body = json.createObjectNode();
        body.put("iotHubHostName", hub);
        ObjectNode redirect = body.putObject("payload").putObject("redirect");
        redirect.put("version", REDIRECT_VERSION);
        redirect.put("globalEndpoint", target.globalEndpoint());
        redirect.put("idScope", target.idScope());
        LOG.debug("Redirecting device {} (owner {}) to DPS instance {} via staging hub {}", id, target.owner(),
                target.instanceId(), hub);
        return new ApiResponse(200, Map.of("Content-Type", "application/json"), write(body));
    }

    /** The parts of DPS's AllocationRequest this handler uses. */
    private record AllocationCall(String registrationId, List<String> linkedHubs, Optional<String> currentHub) {
    }

    private AllocationCall parse(byte[] body) {
        JsonNode root;
        try {
            root = body.length == 0 ? null : json.readTree(body);
        } catch (IOException e) {
            throw malformed("The body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw malformed("The body must be a JSON object (DPS's AllocationRequest)");
        }
        JsonNode context = root.get("deviceRuntimeContext");
        if (context == null || !context.isObject()) {
            throw malformed("'deviceRuntimeContext' is missing or not an object");
        }
        JsonNode id = context.get("registrationId");
        if (id == null || !id.isTextual()) {
            throw malformed("'deviceRuntimeContext.registrationId' is missing or not text");
        }
        JsonNode hubs = root.get("linkedHubs");
        if (hubs == null || !hubs.isArray()) {
            throw malformed("'linkedHubs' is missing or not a list");
        }
        List<String> linked = new ArrayList<>();
        for (JsonNode hub : hubs) {
            if (!hub.isTextual() || hub.textValue().isBlank()) {
                throw malformed("'linkedHubs' must hold IoT hub host names only");
            }
            linked.add(hub.textValue());
        }
        return new AllocationCall(id.textValue(), linked, currentHub(context));
    }

    /** DPS's docs spell the field two ways; they differ only in case. */
    private static Optional<String> currentHub(JsonNode context) {
        for (Iterator<Map.Entry<String, JsonNode>> it = context.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equalsIgnoreCase(CURRENT_HUB) && field.getValue().isTextual()
                    && !field.getValue().textValue().isBlank()) {
                return Optional.of(field.getValue().textValue());
            }
        }
        return Optional.empty();
    }

    private static Problem malformed(String detail) {
        return new Problem(400, "malformed-allocation-request", "Malformed allocation request", detail);
    }

    private static Problem problemFor(RuntimeException thrown, ApiRequest request) {
        if (thrown instanceof Problem p) {
            return p;
        }
        if (thrown instanceof InvalidRequestException e) {
            return new Problem(400, e.problemType(), "Invalid request", e.getMessage())
                    .with("registrationId", e.registrationId().orElse(null));
        }
        if (thrown instanceof OwnershipNotFoundException e) {
            LOG.info("Refused to redirect a device that is not in the ownership registry: {}", e.getMessage());
            return new Problem(404, "unknown-device", "Unknown device", e.getMessage())
                    .with("registrationId", e.registrationId().orElse(null));
        }
        if (thrown instanceof AllocationRejectedException e) {
            LOG.warn("Could not redirect a device: {}", e.getMessage());
            return new Problem(503, "no-eligible-instance", "No DPS instance can take the device", e.getMessage())
                    .with("registrationId", e.registrationId().orElse(null)).with("exclusions", e.exclusions());
        }
        if (thrown instanceof DpsUnavailableException e) {
            long seconds = ProvisioningApi.retryAfterSeconds(e.retryAfter());
            return new Problem(503, "deferred", "Come back later", e.getMessage())
                    .with("registrationId", e.registrationId().orElse(null))
                    .header("Retry-After", Long.toString(seconds));
        }
        if (thrown instanceof ConcurrentUpdateException e) {
            return new Problem(503, "busy", "Device busy", "The device's records kept changing while it was "
                    + "being placed; try again").header("Retry-After", "1");
        }
        if (thrown instanceof StoreException e) {
            LOG.warn("Inventory store failed: {}", e.getMessage(), e);
            return e.isTransient()
                    ? new Problem(503, "store-unavailable", "Inventory temporarily unavailable",
                            "The inventory store failed temporarily; retry later").header("Retry-After", "5")
                    : new Problem(500, "store-failure", "Inventory failure", "The inventory store failed");
        }
        LOG.warn("Allocation webhook call {} {} failed: {}", request.method(), request.path(), thrown.getMessage(),
                thrown);
        return new Problem(500, "internal", "Internal error", "The request failed unexpectedly");
    }

    private ApiResponse problem(Problem p) {
        Map<String, String> headers = new LinkedHashMap<>(p.headers());
        headers.put("Content-Type", "application/problem+json");
        return new ApiResponse(p.status(), headers, write(p.body()));
    }

    private byte[] write(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable", e);
        }
    }

    @Override
    public String toString() {
        return "AllocationWebhook[" + keys + ", maxBodyBytes=" + maxBodyBytes + "]";
    }
}
