package io.multiscope.testkit.internal.dps;

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
    private final DeviceOperations operations;

    /** @param instancesByIdScope keyed by lower-cased ID scope */
    DeviceApi(Map<String, InstanceRuntime> instancesByIdScope, DeviceOperations operations) {
        this.instancesByIdScope = instancesByIdScope;
        this.operations = operations;
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
            RequestGate.run(instance, RequestKind.REGISTER, exchange::drop, () -> register(instance, registrationId,
                    exchange));
        } else if (s.size() == 5 && s.get(3).equals("operations")) {
            requireMethod(method, "GET");
            RequestGate.run(instance, RequestKind.OPERATION_STATUS, exchange::drop,
                    () -> poll(instance, registrationId, s.get(4), exchange));
        } else if (s.size() == 3) {
            requireMethod(method, "POST");
            RequestGate.run(instance, RequestKind.STATUS_LOOKUP, exchange::drop,
                    () -> lookup(instance, registrationId, exchange));
        } else {
            throw DpsError.of(404, DpsError.RESOURCE_NOT_FOUND, "Unknown device API path.");
        }
    }

    private void register(InstanceRuntime instance, String registrationId, DpsExchange exchange) throws IOException {
        ApiVersions.check(exchange);
        DeviceOperations.Answer answer = operations.register(instance, registrationId, credentials(exchange),
                exchange.body());
        Map<String, String> headers = new LinkedHashMap<>();
        answer.retryAfterSeconds().ifPresent(s -> headers.put("Retry-After", Integer.toString(s)));
        if (answer.isAssigning()) {
            headers.put("Location", "https://" + exchange.header("Host").orElse("localhost") + "/"
                    + instance.settings().idScope() + "/registrations/" + registrationId + "/register");
        }
        exchange.respondJson(answer.status(), answer.body(), headers);
    }

    private void poll(InstanceRuntime instance, String registrationId, String operationId, DpsExchange exchange)
            throws IOException {
        ApiVersions.check(exchange);
        DeviceOperations.Answer answer = operations.poll(instance, registrationId, operationId,
                credentials(exchange));
        Map<String, String> headers = new LinkedHashMap<>();
        answer.retryAfterSeconds().ifPresent(s -> headers.put("Retry-After", Integer.toString(s)));
        exchange.respondJson(answer.status(), answer.body(), headers);
    }

    private void lookup(InstanceRuntime instance, String registrationId, DpsExchange exchange) throws IOException {
        ApiVersions.check(exchange);
        DeviceOperations.Answer answer = operations.lookup(instance, registrationId, credentials(exchange),
                exchange.body());
        exchange.respondJson(answer.status(), answer.body(), Map.of());
    }

    private static DeviceCredentials credentials(DpsExchange exchange) {
        return new DeviceCredentials(exchange.header("Authorization"), exchange.clientCertificates());
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw DpsError.of(405, DpsError.METHOD_NOT_ALLOWED,
                    "The method " + method + " is not allowed here; use " + expected + ".");
        }
    }
}
