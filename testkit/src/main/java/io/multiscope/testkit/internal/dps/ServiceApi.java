package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.testkit.RequestKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The DPS service API over HTTPS: individual enrollments, enrollment groups and registration states, with etags,
 * generated keys, query paging and bulk operations. The instance is chosen by the {@code Host} header, as real DPS
 * instances each have their own host name.
 */
final class ServiceApi {

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 1000;
    static final int MAX_BULK = 10;

    private final Map<String, InstanceRuntime> instancesByHost;

    /** @param instancesByHost keyed by lower-cased service host name */
    ServiceApi(Map<String, InstanceRuntime> instancesByHost) {
        this.instancesByHost = instancesByHost;
    }

    static boolean isServicePath(List<String> segments) {
        String first = segments.get(0).toLowerCase(Locale.ROOT);
        return first.equals("enrollments") || first.equals("enrollmentgroups") || first.equals("registrations");
    }

    void handle(DpsExchange exchange) throws IOException {
        String host = exchange.hostName();
        InstanceRuntime instance = instancesByHost.get(host);
        if (instance == null) {
            throw DpsError.of(404, DpsError.INSTANCE_NOT_FOUND, "No DPS instance answers to the host name '" + host
                    + "'. The service API is addressed by the instance's host name (e.g. "
                    + instancesByHost.keySet().stream().findFirst().orElse("dps-1.azure-devices-provisioning.net")
                    + "); route the service client with ServiceClientRouting.");
        }
        RequestGate.run(instance, RequestKind.SERVICE_OPERATION, exchange::drop, () -> {
            ApiVersions.check(exchange);
            instance.quotas().serviceOperation();
            ServiceAuthenticator.authenticate(instance, exchange);
            dispatch(instance, exchange);
        });
    }

    private void dispatch(InstanceRuntime instance, DpsExchange exchange) throws IOException {
        List<String> s = exchange.segments();
        String collection = s.get(0).toLowerCase(Locale.ROOT);
        String method = exchange.method();
        if (collection.equals("registrations")) {
            if (s.size() == 2) {
                switch (method) {
                    case "GET" -> getRegistration(instance, s.get(1), exchange);
                    case "DELETE" -> deleteRegistration(instance, s.get(1), exchange);
                    default -> throw notAllowed(method, "GET, DELETE");
                }
            } else if (s.size() == 3 && s.get(2).equalsIgnoreCase("query")) {
                requireMethod(method, "POST");
                queryRegistrations(instance, s.get(1), exchange);
            } else {
                throw unknownPath();
            }
            return;
        }
        boolean group = collection.equals("enrollmentgroups");
        VersionedStore<EnrollmentRecord> store = group ? instance.groups() : instance.enrollments();
        if (s.size() == 1) {
            requireMethod(method, "POST");
            bulk(instance, group, exchange);
        } else if (s.size() == 2 && s.get(1).equalsIgnoreCase("query") && method.equals("POST")) {
            queryEnrollments(store, group, exchange);
        } else if (s.size() == 2) {
            switch (method) {
                case "PUT" -> putEnrollment(instance, group, s.get(1), exchange);
                case "GET" -> getEnrollment(instance, store, s.get(1), exchange);
                case "DELETE" -> deleteEnrollment(instance, group, s.get(1), exchange);
                default -> throw notAllowed(method, "PUT, GET, DELETE");
            }
        } else if (s.size() == 3 && s.get(2).equalsIgnoreCase("attestationmechanism")) {
            requireMethod(method, "POST");
            EnrollmentRecord record = store.get(s.get(1)).orElseThrow(() -> notFound(group, s.get(1)));
            exchange.respondJson(200, EnrollmentJson.attestation(record.attestation(), true), Map.of());
        } else {
            throw unknownPath();
        }
    }

    private static void putEnrollment(InstanceRuntime instance, boolean group, String id, DpsExchange exchange)
            throws IOException {
        ObjectNode body = DpsJson.parseObject(exchange.body());
        EnrollmentRecord record = EnrollmentCommands.write(instance, group, id, body,
                exchange.header("If-Match").orElse(null));
        exchange.respondJson(200, EnrollmentJson.render(record, registrationStateOf(instance, record)), Map.of());
    }

    private static void getEnrollment(InstanceRuntime instance, VersionedStore<EnrollmentRecord> store, String id,
            DpsExchange exchange) throws IOException {
        boolean group = store == instance.groups();
        EnrollmentRecord record = store.get(id).orElseThrow(() -> notFound(group, id));
        exchange.respondJson(200, EnrollmentJson.render(record, registrationStateOf(instance, record)), Map.of());
    }

    private static void deleteEnrollment(InstanceRuntime instance, boolean group, String id, DpsExchange exchange)
            throws IOException {
        EnrollmentCommands.delete(instance, group, id, exchange.header("If-Match").orElse(null));
        exchange.respondEmpty(204);
    }

    private static JsonNode registrationStateOf(InstanceRuntime instance, EnrollmentRecord record) {
        if (record.group()) {
            return null;
        }
        return instance.registrations().get(record.id())
                .filter(r -> r.enrollmentGroupId() == null)
                .map(RegistrationRecord::renderForService)
                .orElse(null);
    }

    private static void bulk(InstanceRuntime instance, boolean group, DpsExchange exchange) throws IOException {
        ObjectNode body = DpsJson.parseObject(exchange.body());
        String mode = body.path("mode").asText("");
        JsonNode items = body.get(group ? "enrollmentGroups" : "enrollments");
        if (!List.of("create", "update", "updateifmatchetag", "delete").contains(mode.toLowerCase(Locale.ROOT))) {
            throw DpsError.badRequest("The bulk mode '" + mode + "' is not one of create, update, updateIfMatchETag, "
                    + "delete.");
        }
        if (items == null || !items.isArray() || items.isEmpty() || items.size() > MAX_BULK) {
            throw DpsError.badRequest("A bulk operation takes an array '" + (group ? "enrollmentGroups" : "enrollments")
                    + "' of 1 to " + MAX_BULK + " items.");
        }
        String idField = group ? "enrollmentGroupId" : "registrationId";
        ArrayNode errors = DpsJson.MAPPER.createArrayNode();
        for (JsonNode item : items) {
            String id = item.path(idField).asText("");
            String etag = item.hasNonNull("etag") ? item.get("etag").asText() : null;
            try {
                if (id.isEmpty()) {
                    throw DpsError.badRequest("The item has no " + idField + ".");
                }
                switch (mode.toLowerCase(Locale.ROOT)) {
                    case "create" -> {
                        VersionedStore<EnrollmentRecord> store = group ? instance.groups() : instance.enrollments();
                        if (store.get(id).isPresent()) {
                            throw DpsError.of(409, DpsError.CONFLICT, "The " + (group ? "enrollment group" : "enrollment")
                                    + " '" + id + "' already exists.");
                        }
                        EnrollmentCommands.write(instance, group, id, item, null);
                    }
                    case "update" -> EnrollmentCommands.write(instance, group, id, item, null);
                    case "updateifmatchetag" -> EnrollmentCommands.write(instance, group, id, item, etag);
                    default -> EnrollmentCommands.delete(instance, group, id, etag);
                }
            } catch (DpsError e) {
                ObjectNode error = errors.addObject();
                error.put(idField, id);
                error.put("errorCode", e.errorCode());
                error.put("errorStatus", e.getMessage());
            }
        }
        ObjectNode result = DpsJson.object();
        result.put("isSuccessful", errors.isEmpty());
        // Always present: the service SDK fails on a missing array.
        result.set("errors", errors);
        exchange.respondJson(200, result, Map.of());
    }

    private static void queryEnrollments(VersionedStore<EnrollmentRecord> store, boolean group, DpsExchange exchange)
            throws IOException {
        checkQuery(exchange, group ? "enrollmentgroups" : "enrollments");
        respondPage(store, r -> true, r -> EnrollmentJson.render(r, null), group ? "EnrollmentGroup" : "Enrollment",
                exchange);
    }

    private static void getRegistration(InstanceRuntime instance, String id, DpsExchange exchange)
            throws IOException {
        RegistrationRecord record = instance.registrations().get(id).orElseThrow(() -> DpsError.notFound(
                "The device registration '" + id + "' does not exist."));
        exchange.respondJson(200, record.renderForService(), Map.of());
    }

    private static void deleteRegistration(InstanceRuntime instance, String id, DpsExchange exchange)
            throws IOException {
        instance.registrations().delete(id, exchange.header("If-Match").orElse(null));
        exchange.respondEmpty(204);
    }

    private static void queryRegistrations(InstanceRuntime instance, String groupId, DpsExchange exchange)
            throws IOException {
        byte[] raw = exchange.body();
        if (raw.length > 0) {
            DpsJson.parseObject(raw);
        }
        instance.groups().get(groupId).orElseThrow(() -> notFound(true, groupId));
        respondPage(instance.registrations(), r -> groupId.equalsIgnoreCase(r.enrollmentGroupId()),
                RegistrationRecord::renderForService, "DeviceRegistration", exchange);
    }

    private static void checkQuery(DpsExchange exchange, String source) {
        ObjectNode body = DpsJson.parseObject(exchange.body());
        JsonNode query = body.get("query");
        if (query == null || !query.isTextual() || query.textValue().isBlank()) {
            throw DpsError.badRequest("The query specification needs a 'query' string, e.g. SELECT * FROM "
                    + source + ".");
        }
        String normalised = query.textValue().trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        if (!normalised.equals("select * from " + source)) {
            throw DpsError.badRequest("The emulator supports only the query 'SELECT * FROM " + source
                    + "', not '" + query.textValue() + "'.");
        }
    }

    private static <T> void respondPage(VersionedStore<T> store, Predicate<T> filter, Function<T, JsonNode> render,
            String itemType, DpsExchange exchange) throws IOException {
        int pageSize = pageSize(exchange);
        String after = exchange.header("x-ms-continuation").map(ServiceApi::decodeContinuation).orElse(null);
        VersionedStore.Page<T> page = store.page(after, pageSize, filter);
        ArrayNode items = DpsJson.MAPPER.createArrayNode();
        page.items().forEach(item -> items.add(render.apply(item)));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-ms-item-type", itemType);
        headers.put("x-ms-max-item-count", Integer.toString(pageSize));
        // Only when more follow: the service SDK loops forever on an empty continuation header.
        if (page.nextAfterKey() != null) {
            headers.put("x-ms-continuation", encodeContinuation(page.nextAfterKey()));
        }
        exchange.respondJson(200, items, headers);
    }

    private static int pageSize(DpsExchange exchange) {
        Optional<String> header = exchange.header("x-ms-max-item-count");
        if (header.isEmpty() || header.get().isBlank()) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            int size = Integer.parseInt(header.get().trim());
            if (size < 1) {
                throw new NumberFormatException();
            }
            return Math.min(size, MAX_PAGE_SIZE);
        } catch (NumberFormatException e) {
            throw DpsError.badRequest("x-ms-max-item-count '" + header.get() + "' is not a positive integer.");
        }
    }

    private static String encodeContinuation(String afterKey) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("after:" + afterKey).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeContinuation(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token.trim()), StandardCharsets.UTF_8);
            if (text.startsWith("after:")) {
                return text.substring("after:".length());
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw DpsError.badRequest("The continuation token '" + token + "' is not one this service issued.");
    }

    private static DpsError notFound(boolean group, String id) {
        return DpsError.notFound("The " + (group ? "enrollment group" : "individual enrollment") + " '" + id
                + "' does not exist.");
    }

    private static DpsError unknownPath() {
        return DpsError.of(404, DpsError.RESOURCE_NOT_FOUND, "Unknown service API path.");
    }

    private static DpsError notAllowed(String method, String allowed) {
        return DpsError.of(405, DpsError.METHOD_NOT_ALLOWED,
                "The method " + method + " is not allowed here; use " + allowed + ".");
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw notAllowed(method, expected);
        }
    }
}
