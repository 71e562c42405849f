package io.multiscope.device;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** Something {@link DeviceProvisioner} did or saw, for a {@link ProvisioningListener}. Immutable. */
public final class ProvisioningEvent {

    /** What happened. */
    public enum Type {
        /** The stored state could not be read or parsed; the device is treated as not provisioned. */
        STATE_UNREADABLE,
        /** The stored result belongs to another registration id or endpoint configuration and is ignored. */
        STATE_IGNORED,
        /** Writing the state failed; the result is still returned, but a reboot will provision again. */
        STATE_NOT_SAVED,
        /** Waiting a random stagger before the first network call ({@link #delay()}). */
        STAGGER,
        /** The connectivity probe says offline; waiting {@link #delay()} without an attempt. */
        OFFLINE,
        /** An attempt failed ({@link #step()}, {@link #status()}, {@link #failureKind()}, {@link #detail()}). */
        ATTEMPT_FAILED,
        /** Starting over from the first step after a 401, 403 or 404 (once per run). */
        REREGISTER,
        /** Waiting {@link #delay()} before the next attempt. */
        RETRY_SCHEDULED,
        /**
         * A DPS instance assigned the device with a redirect to another one (pattern 3), which the device follows
         * next; {@link #detail()} names both and the hop number.
         */
        REDIRECTED,
        /** Provisioned (by registration or status lookup) and saved. */
        PROVISIONED,
        /** A provisioning bundle handed over locally was verified and saved ({@link DeviceProvisioner#applyBundle}). */
        BUNDLE_APPLIED,
        /** A provisioning bundle was refused; {@link #detail()} says why. Nothing was changed. */
        BUNDLE_REJECTED,
        /** The run ended unprovisioned; {@link #detail()} says why. */
        GAVE_UP,
        /** The circuit breaker opened; no attempts until {@link #until()}. */
        CIRCUIT_OPENED,
        /** A call was answered with the default state at once because the circuit is open. */
        CIRCUIT_REJECTED,
        /** The circuit's open time has passed; this run is the trial. */
        CIRCUIT_HALF_OPEN,
        /** A success after failures closed the circuit. */
        CIRCUIT_CLOSED
    }

    /** The network call an attempt failed in. */
    public enum Step {
        /** {@code GET /v1/assignments/{id}} on the provisioning API. */
        API_LOOKUP,
        /** {@code POST /v1/assignments} on the provisioning API. */
        API_REQUEST,
        /** {@code POST /v1/assignments/{id}/reprovision} on the provisioning API. */
        API_REPROVISION,
        /** DPS's registration status lookup. */
        DPS_STATUS_LOOKUP,
        /** The DPS registration through the Azure SDK. */
        DPS_REGISTER
    }

    private final Type type;
    private final String registrationId;
    private final Instant at;
    private final int attempt;
    private final Step step;
    private final int status;
    private final FailureKind failureKind;
    private final Duration retryAfter;
    private final Duration delay;
    private final Instant until;
    private final String detail;

    private ProvisioningEvent(Builder b) {
        this.type = b.type;
        this.registrationId = b.registrationId;
        this.at = b.at;
        this.attempt = b.attempt;
        this.step = b.step;
        this.status = b.status;
        this.failureKind = b.failureKind;
        this.retryAfter = b.retryAfter;
        this.delay = b.delay;
        this.until = b.until;
        this.detail = b.detail;
    }

    /** For implementations and tests of listeners. */
    public static Builder builder(Type type, String registrationId, Instant at) {
        return new Builder(type, registrationId, at);
    }

    public Type type() {
        return type;
    }

    public String registrationId() {
        return registrationId;
    }

    /** When it happened, by the provisioner's clock. */
    public Instant at() {
        return at;
    }

    /** The attempt number within the run (1-based), 0 when not about an attempt. */
    public int attempt() {
        return attempt;
    }

    public Optional<Step> step() {
        return Optional.ofNullable(step);
    }

    /** The HTTP status of a failed call (429, 503, ...), when there was one. */
    public OptionalInt status() {
        return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }

    public Optional<FailureKind> failureKind() {
        return Optional.ofNullable(failureKind);
    }

    /** What the service asked the device to wait ({@code Retry-After}), on a failed attempt. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The wait that follows (stagger, offline re-check, retry). */
    public Optional<Duration> delay() {
        return Optional.ofNullable(delay);
    }

    /** The end of an open circuit. */
    public Optional<Instant> until() {
        return Optional.ofNullable(until);
    }

    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ProvisioningEvent[").append(type).append(' ').append(registrationId);
        if (attempt > 0) {
            s.append(" attempt ").append(attempt);
        }
        if (step != null) {
            s.append(' ').append(step);
        }
        if (status != 0) {
            s.append(' ').append(status);
        }
        if (failureKind != null) {
            s.append(' ').append(failureKind);
        }
        if (retryAfter != null) {
            s.append(" Retry-After ").append(retryAfter);
        }
        if (delay != null) {
            s.append(" wait ").append(delay);
        }
        if (until != null) {
            s.append(" until ").append(until);
        }
        if (!detail.isEmpty()) {
            s.append(": ").append(detail);
        }
        return s.append(']').toString();
    }

    /** Builds a {@link ProvisioningEvent}. */
    public static final class Builder {
        private final Type type;
        private final String registrationId;
        private final Instant at;
        private int attempt;
        private Step step;
        private int status;
        private FailureKind failureKind;
        private Duration retryAfter;
        private Duration delay;
        private Instant until;
        private String detail = "";

        private Builder(Type type, String registrationId, Instant at) {
            this.type = Objects.requireNonNull(type, "type");
            this.registrationId = Objects.requireNonNull(registrationId, "registrationId");
            this.at = Objects.requireNonNull(at, "at");
        }

        public Builder attempt(int attempt) {
            if (attempt < 0) {
                throw new IllegalArgumentException("attempt must not be negative");
            }
            this.attempt = attempt;
            return this;
        }

        public Builder step(Step step) {
            this.step = step;
            return this;
        }

        /** An HTTP status, or 0 for none. */
        public Builder status(int status) {
            if (status != 0 && (status < 100 || status > 599)) {
                throw new IllegalArgumentException("status must be 0 or an HTTP status, was " + status);
            }
            this.status = status;
            return this;
        }

        public Builder failureKind(FailureKind failureKind) {
            this.failureKind = failureKind;
            return this;
        }

        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = retryAfter;
            return this;
        }

        public Builder delay(Duration delay) {
            this.delay = delay;
            return this;
        }

        public Builder until(Instant until) {
            this.until = until;
            return this;
        }

        public Builder detail(String detail) {
            this.detail = Objects.requireNonNull(detail, "detail");
            return this;
        }

        public ProvisioningEvent build() {
            return new ProvisioningEvent(this);
        }
    }
}
