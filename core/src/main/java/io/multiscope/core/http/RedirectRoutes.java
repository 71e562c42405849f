package io.multiscope.core.http;

import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.RedirectProvisioning;
import io.multiscope.core.RegistrationCleanup;
import io.multiscope.core.RegistrationIds;
import io.multiscope.core.TransferReport;
import io.multiscope.core.TransferResult;
import io.multiscope.core.internal.http.Problem;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipNotFoundException;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.store.ConcurrentUpdateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pattern-3 routes of {@link ProvisioningApi}:
 *
 * <pre>
 * POST /v1/dps/allocations                   the factory DPS's custom allocation webhook ({@link AllocationWebhook})
 * POST /v1/transfers                         admin: transfer devices to a new owner (per-device report)
 * GET  /v1/devices/{registrationId}/ownership   admin: owner, active instance, assignment and transfer history
 * </pre>
 */
final class RedirectRoutes {

    /** The most devices one {@code POST /v1/transfers} takes: a minute's work at the default transfer budget. */
    static final int MAX_TRANSFERS_PER_REQUEST = 1000;
    static final String DEFAULT_ACTOR = "admin-api";

    private final RedirectProvisioning service;
    private final AllocationWebhook webhook;
    private final ProvisioningApi api;

    RedirectRoutes(RedirectProvisioning service, AllocationWebhook webhook, ProvisioningApi api) {
        this.service = service;
        this.webhook = webhook;
        this.api = api;
    }

    int maxBodyBytes() {
        return webhook.maxBodyBytes();
    }

    boolean handles(List<String> segments) {
        if (segments.size() < 2 || !segments.get(0).equals("v1")) {
            return false;
        }
        String collection = segments.get(1);
        return (collection.equals("dps") && segments.size() == 3 && segments.get(2).equals("allocations"))
                || (collection.equals("transfers") && segments.size() == 2)
                || (collection.equals("devices") && segments.size() == 4 && segments.get(3).equals("ownership"));
    }

    /** Throws {@link Problem}s and service exceptions for {@link ProvisioningApi} to report. */
    ApiResponse handle(ApiRequest request, List<String> segments) {
        String collection = segments.get(1);
        if (collection.equals("dps")) {
            return webhook.handle(request); // authenticates and reports its own errors
        }
        try {
            if (collection.equals("transfers")) {
                ProvisioningApi.requireMethod(request, "POST");
                api.requireAdmin(request);
                return transfer(request);
            }
            ProvisioningApi.requireMethod(request, "GET");
            api.requireAdmin(request);
            return ownership(segments.get(2));
        } catch (OwnershipNotFoundException e) {
            throw new Problem(404, "unknown-device", "Unknown device", e.getMessage())
                    .with("registrationId", e.registrationId().orElse(null));
        } catch (ConcurrentUpdateException e) {
            throw new Problem(409, "conflict", "Changed concurrently", e.getMessage()).header("Retry-After", "1");
        }
    }

    /** The JSON body of {@code POST /v1/transfers}. */
    record TransferBody(List<String> registrationIds, String newOwner, String actor) {
    }

    private ApiResponse transfer(ApiRequest request) {
        TransferBody body = api.readBody(request, TransferBody.class);
        if (body == null || body.registrationIds() == null || body.newOwner() == null) {
            throw new Problem(400, "missing-field", "Missing field",
                    "The body must contain 'registrationIds' (a list) and 'newOwner'");
        }
        if (body.registrationIds().size() > MAX_TRANSFERS_PER_REQUEST) {
            throw new Problem(400, "too-many-devices", "Too many devices", "One request transfers at most "
                    + MAX_TRANSFERS_PER_REQUEST + " devices; it named " + body.registrationIds().size());
        }
        if (body.registrationIds().contains(null)) {
            throw new Problem(400, "invalid-registration-id", "Invalid request",
                    "'registrationIds' must not contain null");
        }
        TransferReport report = service.transferAll(body.registrationIds(), body.newOwner(),
                body.actor() != null ? body.actor() : DEFAULT_ACTOR);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("newOwner", report.newOwner());
        m.put("requested", report.results().size());
        for (TransferResult.Status s : TransferResult.Status.values()) {
            m.put(camel(s), report.count(s));
        }
        m.put("cleanupsPending", report.cleanupsPending().size());
        List<Map<String, Object>> results = new ArrayList<>();
        report.results().forEach(r -> results.add(resultJson(r)));
        m.put("results", results);
        return api.ok(200, m);
    }

    private ApiResponse ownership(String registrationId) {
        String id = RegistrationIds.normalise(registrationId);
        Ownership o = service.ownership(id).orElseThrow(() -> new Problem(404, "unknown-device", "Unknown device",
                "Device '" + id + "' is not in the ownership registry"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registrationId", o.registrationId());
        m.put("owner", o.owner());
        o.activeInstanceId().ifPresent(i -> m.put("activeInstanceId", i));
        m.put("version", o.version());
        m.put("createdAt", o.createdAt().toString());
        m.put("updatedAt", o.updatedAt().toString());
        // The claim code's hash stays in the store: whether one was issued and used is all an admin needs.
        o.claim().ifPresent(c -> m.put("claimCode", Map.of("used", c.isUsed())));
        Optional<DeviceAssignment> a = service.assignment(id);
        a.ifPresent(x -> {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("instanceId", x.instanceId());
            am.put("idScope", x.idScope());
            am.put("state", x.state().name());
            x.tenant().ifPresent(t -> am.put("tenant", t));
            m.put("assignment", am);
        });
        List<Map<String, Object>> history = new ArrayList<>();
        for (OwnershipTransfer t : service.history(id)) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("sequence", t.sequence());
            h.put("fromOwner", t.fromOwner());
            h.put("toOwner", t.toOwner());
            t.fromInstanceId().ifPresent(i -> h.put("fromInstanceId", i));
            t.toInstanceId().ifPresent(i -> h.put("toInstanceId", i));
            h.put("actor", t.actor());
            h.put("at", t.at().toString());
            history.add(h);
        }
        m.put("history", history);
        return api.ok(200, m);
    }

    private static Map<String, Object> resultJson(TransferResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registrationId", r.registrationId());
        m.put("status", r.status().name());
        r.previousOwner().ifPresent(o -> m.put("previousOwner", o));
        r.fromInstanceId().ifPresent(i -> m.put("fromInstanceId", i));
        r.toInstanceId().ifPresent(i -> m.put("toInstanceId", i));
        r.cleanup().ifPresent(c -> m.put("cleanup", cleanupJson(c)));
        r.reason().ifPresent(x -> m.put("reason", x));
        return m;
    }

    private static Map<String, Object> cleanupJson(RegistrationCleanup c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instanceId", c.instanceId());
        m.put("status", c.status().name());
        c.detail().ifPresent(d -> m.put("detail", d));
        return m;
    }

    /** {@code ALREADY_OWNED} → {@code alreadyOwned}. */
    private static String camel(TransferResult.Status s) {
        String[] parts = s.name().toLowerCase(java.util.Locale.ROOT).split("_");
        StringBuilder sb = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            sb.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return sb.toString();
    }
}
