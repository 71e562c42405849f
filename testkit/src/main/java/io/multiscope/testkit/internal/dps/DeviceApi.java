package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.RegistrationIds;
import io.multiscope.testkit.RequestKind;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DPS device API over HTTPS: register ({@code PUT}), operation status ({@code GET}) and the registration status
 * lookup ({@code POST}), addressed by ID scope in the path.
 */
final class DeviceApi {

    private final Map<String, InstanceRuntime> instancesByIdScope;
    private final RegistrationEngine engine;
    private final int retryAfterSeconds;

    /**
     * @param instancesByIdScope keyed by lower-cased ID scope
     * @param retryAfterSeconds the {@code Retry-After} sent with {@code assigning} answers
     */
    DeviceApi(Map<String, InstanceRuntime> instancesByIdScope, RegistrationEngine engine, int retryAfterSeconds) {
        this.instancesByIdScope = instancesByIdScope;
        this.engine = engine;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    void handle(DpsExchange exchange) throws IOException {
        List<String> s = exchange.segments();
        InstanceRuntime instance = instancesByIdScope.get(s.get(0).toLowerCase(Locale.ROOT));
        if (instance == null) {
            throw DpsError.of(404, DpsError.INSTANCE_NOT_FOUND,
                    "No DPS instance has the ID scope '" + s.get(0) + "'.");
        }
        if (s.size() < 3 || !s.get(1).equals("registrations")) {
            throw DpsError.of(404, DpsError.RESOURCE_NOT_FOUND, "Unknown device API path; expected /" + s.get(0)
                    + "/registrations/{registrationId}/register or .../operations/{operationId}.");
        }
        String registrationId = s.get(2);
        String method = exchange.method();
        if (s.size() == 4 && s.get(3).equals("register")) {
            requireMethod(method, "PUT");
            RequestGate.run(instance, RequestKind.REGISTER, exchange, () -> register(instance, registrationId,
                    exchange));
        } else if (s.size() == 5 && s.get(3).equals("operations")) {
            requireMethod(method, "GET");
            RequestGate.run(instance, RequestKind.OPERATION_STATUS, exchange,
                    () -> poll(instance, registrationId, s.get(4), exchange));
        } else if (s.size() == 3) {
            requireMethod(method, "POST");
            RequestGate.run(instance, RequestKind.STATUS_LOOKUP, exchange,
                    () -> lookup(instance, registrationId, exchange));
        } else {
            throw DpsError.of(404, DpsError.RESOURCE_NOT_FOUND, "Unknown device API path.");
        }
    }

    private void register(InstanceRuntime instance, String registrationId, DpsExchange exchange) throws IOException {
        ApiVersions.check(exchange);
        checkRegistrationId(registrationId);
        instance.quotas().registration();
        ObjectNode body = DpsJson.parseObject(exchange.body());
        checkBodyRegistrationId(body, registrationId);
        if (body.hasNonNull("tpm") && exchange.header("Authorization").isEmpty()) {
            throw DpsError.unauthorized("TPM attestation is not supported by this emulator.");
        }
        AttestedDevice device = DeviceAuthenticator.authenticate(instance, registrationId, exchange);
        JsonNode payload = DpsJson.normalisePayload(body.get("payload"));
        OperationView view = engine.register(instance, device, payload);
        Map<String, String> headers = new LinkedHashMap<>();
        if (view.isAssigning()) {
            headers.put("Retry-After", Integer.toString(retryAfterSeconds));
            headers.put("Location", "https://" + exchange.header("Host").orElse("localhost") + "/"
                    + instance.settings().idScope() + "/registrations/" + registrationId + "/register");
        }
        exchange.respondJson(view.isAssigning() ? 202 : 200, view.render(), headers);
    }

    private void poll(InstanceRuntime instance, String registrationId, String operationId, DpsExchange exchange)
            throws IOException {
        ApiVersions.check(exchange);
        checkRegistrationId(registrationId);
        instance.quotas().poll(VersionedStore.key(registrationId));
        DeviceAuthenticator.authenticate(instance, registrationId, exchange);
        OperationView view = engine.poll(instance, registrationId, operationId);
        exchange.respondJson(view.isAssigning() ? 202 : 200, view.render(), view.isAssigning()
                ? Map.of("Retry-After", Integer.toString(retryAfterSeconds)) : Map.of());
    }

    private void lookup(InstanceRuntime instance, String registrationId, DpsExchange exchange) throws IOException {
        ApiVersions.check(exchange);
        checkRegistrationId(registrationId);
        byte[] raw = exchange.body();
        if (raw.length > 0) {
            checkBodyRegistrationId(DpsJson.parseObject(raw), registrationId);
        }
        DeviceAuthenticator.authenticate(instance, registrationId, exchange);
        RegistrationRecord record = engine.lookup(instance, registrationId).orElseThrow(() -> DpsError.notFound(
                "The device '" + registrationId + "' has no registration in this DPS instance."));
        exchange.respondJson(200, record.renderForDevice(), Map.of());
    }

    private static void checkRegistrationId(String registrationId) {
        String problem = RegistrationIds.problem(registrationId);
        if (problem != null) {
            throw DpsError.badRequest("Invalid registration id '" + registrationId + "': " + problem + ".");
        }
    }

    private static void checkBodyRegistrationId(ObjectNode body, String registrationId) {
        JsonNode id = body.get("registrationId");
        if (id != null && !id.isNull() && !(id.isTextual() && id.textValue().equalsIgnoreCase(registrationId))) {
            throw DpsError.badRequest("The registrationId " + id + " in the body differs from '" + registrationId
                    + "' in the path.");
        }
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw DpsError.of(405, DpsError.METHOD_NOT_ALLOWED,
                    "The method " + method + " is not allowed here; use " + expected + ".");
        }
    }
}
