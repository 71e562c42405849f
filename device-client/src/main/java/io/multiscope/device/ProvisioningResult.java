package io.multiscope.device;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the device stands: either <b>provisioned</b> (the IoT hub and device id DPS assigned, the DPS endpoint and ID
 * scope it registered with, the custom payload DPS returned) or <b>unprovisioned</b>, the documented default state in
 * which the application runs without a hub (buffering, local-only operation, a "not connected" light) until a later
 * call succeeds. Immutable.
 *
 * <p>The getters for hub, device id, endpoint and scope throw {@link IllegalStateException} on an unprovisioned
 * result, naming why the device is unprovisioned; check {@link #isProvisioned()} first.
 */
public final class ProvisioningResult {

    /** Where a provisioned result came from. */
    public enum Source {
        /** Read from the state store: no network call was made. */
        STORED,
        /** A DPS registration through the Azure SDK. */
        REGISTERED,
        /** DPS's registration status lookup: the device was already assigned, no registration was needed. */
        STATUS_LOOKUP,
        /**
         * A provisioning bundle an installer handed over ({@link DeviceProvisioner#applyBundle}), in which the
         * service had already registered the device with DPS: no network call was made.
         */
        BUNDLE
    }

    /** Why a result is unprovisioned. */
    public enum Reason {
        /** Nothing was tried yet (the default state, e.g. {@link DeviceProvisioner#current()} before any boot). */
        NOT_PROVISIONED,
        /** The circuit breaker is open after consecutive failures: no attempt until {@link #retryNotBefore()}. */
        CIRCUIT_OPEN,
        /** The connectivity probe said the device was offline for the whole retry budget. */
        OFFLINE,
        /** Every attempt the retry budget allows failed, or the next wait would exceed the budget's time. */
        RETRY_BUDGET_EXHAUSTED,
        /** A failure retrying cannot fix (a 4xx other than 401/403/404, a repeated 401/403/404, bad settings). */
        PERMANENT_FAILURE,
        /** The calling thread was interrupted. */
        INTERRUPTED,
        /**
         * A DPS instance redirected the device somewhere it will not go: an invalid redirect, a loop, or too many hops
         * ({@link FailureKind#REDIRECT_REFUSED}). A previously stored result stays in force.
         */
        REDIRECT_REFUSED
    }

    /** The default state: not provisioned, nothing tried. */
    public static final ProvisioningResult UNPROVISIONED = new ProvisioningResult(null, null, null, null, null, null,
            null, null, List.of(), Reason.NOT_PROVISIONED, "the device is not provisioned", null);

    private final String registrationId;
    private final String assignedHub;
    private final String deviceId;
    private final String globalEndpoint;
    private final String idScope;
    private final String payload;
    private final Instant provisionedAt;
    private final Source source;
    private final List<String> redirectedFrom;
    private final Reason reason;
    private final String detail;
    private final Instant retryNotBefore;

    private ProvisioningResult(String registrationId, String assignedHub, String deviceId, String globalEndpoint,
            String idScope, String payload, Instant provisionedAt, Source source, List<String> redirectedFrom,
            Reason reason, String detail, Instant retryNotBefore) {
        this.registrationId = registrationId;
        this.assignedHub = assignedHub;
        this.deviceId = deviceId;
        this.globalEndpoint = globalEndpoint;
        this.idScope = idScope;
        this.payload = payload;
        this.provisionedAt = provisionedAt;
        this.source = source;
        this.redirectedFrom = redirectedFrom;
        this.reason = reason;
        this.detail = detail;
        this.retryNotBefore = retryNotBefore;
    }

    /**
     * A provisioned result.
     *
     * @param payload the custom payload DPS returned (JSON text), or {@code null}
     */
    public static ProvisioningResult provisioned(String registrationId, String assignedHub, String deviceId,
            String globalEndpoint, String idScope, String payload, Instant provisionedAt, Source source) {
        return new ProvisioningResult(requireText(registrationId, "registrationId"),
                requireText(assignedHub, "assignedHub"), requireText(deviceId, "deviceId"),
                requireText(globalEndpoint, "globalEndpoint"), requireText(idScope, "idScope"),
                payload == null || payload.isEmpty() ? null : payload,
                Objects.requireNonNull(provisionedAt, "provisionedAt"), Objects.requireNonNull(source, "source"),
                List.of(), null, describe(assignedHub, deviceId, globalEndpoint, idScope, List.of()), null);
    }

    /**
     * An unprovisioned result.
     *
     * @param retryNotBefore when trying again makes sense (the circuit breaker's half-open time), or {@code null}
     */
    public static ProvisioningResult unprovisioned(Reason reason, String detail, Instant retryNotBefore) {
        return new ProvisioningResult(null, null, null, null, null, null, null, null, List.of(),
                Objects.requireNonNull(reason, "reason"), Objects.requireNonNull(detail, "detail"), retryNotBefore);
    }

    /** The same provisioned result, marked as coming from {@code newSource}. */
    public ProvisioningResult withSource(Source newSource) {
        requireProvisioned(source, "source");
        return new ProvisioningResult(registrationId, assignedHub, deviceId, globalEndpoint, idScope, payload,
                provisionedAt, Objects.requireNonNull(newSource, "newSource"), redirectedFrom, null, detail, null);
    }

    /**
     * The same provisioned result, reached by following redirects from these DPS instances.
     *
     * @param chain each instance that redirected the device, first to last, as {@code globalEndpoint/idScope}
     */
    public ProvisioningResult withRedirectedFrom(List<String> chain) {
        requireProvisioned(source, "source");
        List<String> copy = List.copyOf(Objects.requireNonNull(chain, "chain"));
        for (String hop : copy) {
            requireText(hop, "a hop of the redirect chain");
        }
        return new ProvisioningResult(registrationId, assignedHub, deviceId, globalEndpoint, idScope, payload,
                provisionedAt, source, copy, null,
                describe(assignedHub, deviceId, globalEndpoint, idScope, copy), null);
    }

    public boolean isProvisioned() {
        return reason == null;
    }

    public String registrationId() {
        return requireProvisioned(registrationId, "registrationId");
    }

    /** The IoT hub host name to connect to, e.g. {@code hub-eu-1.azure-devices.net}. */
    public String assignedHub() {
        return requireProvisioned(assignedHub, "assignedHub");
    }

    /** The device id in the IoT hub. */
    public String deviceId() {
        return requireProvisioned(deviceId, "deviceId");
    }

    /** The DPS device endpoint the device registered with, e.g. {@code global.azure-devices-provisioning.net}. */
    public String globalEndpoint() {
        return requireProvisioned(globalEndpoint, "globalEndpoint");
    }

    /** The DPS ID scope the device registered with. */
    public String idScope() {
        return requireProvisioned(idScope, "idScope");
    }

    /** The custom allocation payload DPS returned (JSON text), if any. */
    public Optional<String> payload() {
        return Optional.ofNullable(payload);
    }

    /** When DPS assigned the device (as seen by the device's clock); empty when unprovisioned. */
    public Optional<Instant> provisionedAt() {
        return Optional.ofNullable(provisionedAt);
    }

    /**
     * The DPS instances that redirected the device before it was assigned by {@link #globalEndpoint()}/{@link
     * #idScope()} (pattern 3), first to last, each as {@code globalEndpoint/idScope}; empty when no redirect was
     * followed, and when unprovisioned.
     */
    public List<String> redirectedFrom() {
        return redirectedFrom;
    }

    /** Where a provisioned result came from; empty when unprovisioned. */
    public Optional<Source> source() {
        return Optional.ofNullable(source);
    }

    /** Why the device is unprovisioned; empty when provisioned. */
    public Optional<Reason> reason() {
        return Optional.ofNullable(reason);
    }

    /** A sentence for logs: the assignment, or why there is none. */
    public String detail() {
        return detail;
    }

    /** When another attempt makes sense (set while the circuit breaker is open). */
    public Optional<Instant> retryNotBefore() {
        return Optional.ofNullable(retryNotBefore);
    }

    private <T> T requireProvisioned(T value, String what) {
        if (reason != null) {
            throw new IllegalStateException("no " + what + ": the device is unprovisioned (" + reason + ": " + detail
                    + ")");
        }
        return value;
    }

    private static String describe(String hub, String deviceId, String endpoint, String idScope,
            List<String> redirectedFrom) {
        return "assigned to " + hub + " as '" + deviceId + "' by " + endpoint + "/" + idScope
                + (redirectedFrom.isEmpty() ? "" : " (redirected from " + String.join(" -> ", redirectedFrom) + ")");
    }

    private static String requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    /** Equal when they describe the same assignment (or the same unprovisioned state); the source is ignored. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ProvisioningResult)) {
            return false;
        }
        ProvisioningResult other = (ProvisioningResult) o;
        return Objects.equals(registrationId, other.registrationId) && Objects.equals(assignedHub, other.assignedHub)
                && Objects.equals(deviceId, other.deviceId) && Objects.equals(globalEndpoint, other.globalEndpoint)
                && Objects.equals(idScope, other.idScope) && Objects.equals(payload, other.payload)
                && Objects.equals(provisionedAt, other.provisionedAt)
                && Objects.equals(redirectedFrom, other.redirectedFrom) && reason == other.reason
                && (reason == null || Objects.equals(detail, other.detail))
                && Objects.equals(retryNotBefore, other.retryNotBefore);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registrationId, assignedHub, deviceId, globalEndpoint, idScope, payload, provisionedAt,
                redirectedFrom, reason);
    }

    @Override
    public String toString() {
        return isProvisioned() ? "ProvisioningResult[" + registrationId + " -> " + assignedHub + " as " + deviceId
                + " via " + globalEndpoint + "/" + idScope
                + (redirectedFrom.isEmpty() ? "" : " redirected from " + String.join(" -> ", redirectedFrom)) + ", "
                + source + "]"
                : "ProvisioningResult[UNPROVISIONED " + reason + ": " + detail
                        + (retryNotBefore == null ? "" : ", retry not before " + retryNotBefore) + "]";
    }
}
