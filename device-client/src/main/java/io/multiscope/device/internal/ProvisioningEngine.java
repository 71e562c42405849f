package io.multiscope.device.internal;

import io.multiscope.device.FailureKind;
import io.multiscope.device.ProvisioningEvent.Step;
import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.device.ProvisioningResult;
import io.multiscope.device.ProvisioningResult.Reason;
import io.multiscope.device.RetryBudget;
import java.net.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The boot state machine behind {@code DeviceProvisioner}. One run at a time per device (the public methods are
 * synchronized): a hub command asking to reprovision while the device is still booting waits for the boot to end.
 *
 * <pre>
 * stored result valid? ── yes ──▶ return it (no network)
 *        │ no
 * circuit open? ── yes ──▶ UNPROVISIONED (no network)
 *        │ no / half-open
 * random stagger ─▶ [offline? wait, no attempt] ─▶ attempt ─▶ persist ─▶ provisioned
 *                        ▲                            │ failed
 *                        └── wait (Retry-After or ────┘ classify: throttled/transient retry, 401/403/404 start
 *                            backoff with full jitter)    over once, permanent stop; circuit counts failures
 * </pre>
 */
public final class ProvisioningEngine {

    private final Settings s;
    private final Events events;
    private final StateKeeper states;
    private final Delays delays;
    private final ProvisioningApiClient api;
    private final DpsStatusLookup statusLookup;
    private final SdkRegistrar registrar;
    private final String registrationId;

    public ProvisioningEngine(Settings settings) {
        this.s = settings;
        this.registrationId = settings.credentials.registrationId();
        this.events = new Events(settings.listener, settings.clock, registrationId);
        this.states = new StateKeeper(settings.store, settings.configuration(), events);
        this.delays = new Delays(settings.random);
        SSLContext tls = TlsContexts.create(settings.trustedCas, settings.includeSystemCas,
                settings.credentials.clientChain(), settings.credentials.clientKey());
        Proxy proxy = settings.proxy == null ? null : new Proxy(Proxy.Type.HTTP, settings.proxy);
        HttpsCaller http = new HttpsCaller(tls.getSocketFactory(), proxy, settings.requestTimeout);
        this.api = settings.apiBase == null ? null : new ProvisioningApiClient(settings.apiBase, settings.apiScope,
                settings.credentials, http, settings.clock, settings.placementHints);
        this.statusLookup = new DpsStatusLookup(settings.credentials, http, settings.clock);
        this.registrar = new SdkRegistrar(settings.credentials, tls, settings.transport, settings.registrationTimeout,
                settings.payload, settings.clock);
    }

    public String registrationId() {
        return registrationId;
    }

    /** The stored result if valid, else {@link ProvisioningResult#UNPROVISIONED}; never touches the network. */
    public synchronized ProvisioningResult current() {
        ProvisioningResult stored = states.load().result;
        return stored == null ? ProvisioningResult.UNPROVISIONED : stored.withSource(ProvisioningResult.Source.STORED);
    }

    public synchronized ProvisioningResult ensureProvisioned() {
        DeviceState state = states.load();
        if (state.result != null) {
            return state.result.withSource(ProvisioningResult.Source.STORED);
        }
        return run(state, false, "first provisioning");
    }

    public synchronized ProvisioningResult reprovision(String reason) {
        return run(states.load(), true, "reprovisioning (" + reason + ")");
    }

    private ProvisioningResult run(DeviceState loaded, boolean reprovisioning, String what) {
        Run run = new Run(loaded, reprovisioning, what);
        try {
            return run.execute();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return run.giveUp(Reason.INTERRUPTED, what + " was interrupted", null);
        }
    }

    /** One provisioning run: its budget, its attempts, what it learnt so far. */
    private final class Run {
        private final boolean reprovisioning;
        private final String what;
        private final RetryBudget budget;
        private DeviceState state;
        private boolean halfOpen;
        private int attempts;
        private int backoffFailures;
        private boolean startedOver;
        /** The provisioning API's answer, kept across attempts so a DPS retry does not ask the API again. */
        private Assignment assignment;
        private boolean askApiToPlaceAgain;
        private boolean statusLookedUp;

        Run(DeviceState state, boolean reprovisioning, String what) {
            this.state = state;
            this.reprovisioning = reprovisioning;
            this.what = what;
            this.budget = reprovisioning ? s.reprovisioning : s.firstProvisioning;
            this.askApiToPlaceAgain = reprovisioning;
        }

        ProvisioningResult execute() throws InterruptedException {
            CircuitState circuit = state.circuit;
            Instant now = now();
            if (circuit.isOpenAt(now)) {
                events.emit(events.of(Type.CIRCUIT_REJECTED).until(circuit.openUntil).detail(what
                        + " not attempted: the circuit breaker is open"));
                return ProvisioningResult.unprovisioned(Reason.CIRCUIT_OPEN, "the circuit breaker opened after "
                        + circuit.consecutiveFailures + " consecutive failures; no attempt before "
                        + circuit.openUntil, circuit.openUntil);
            }
            if (circuit.isHalfOpenAt(now)) {
                halfOpen = true;
                events.emit(events.of(Type.CIRCUIT_HALF_OPEN).detail(what + " is the trial after the circuit "
                        + "breaker's open time"));
            }
            Duration stagger = delays.stagger(s.staggerWindow);
            if (!stagger.isZero()) {
                events.emit(events.of(Type.STAGGER).delay(stagger));
                s.sleeper.sleep(stagger);
            }
            Instant deadline = now().plus(budget.maxElapsed());
            while (true) {
                if (!isOnline()) {
                    if (now().plus(s.offlineRecheck).isAfter(deadline)) {
                        return giveUp(Reason.OFFLINE, what + " gave up: the device was offline until the end of the "
                                + "retry budget (" + budget.maxElapsed() + ")", null);
                    }
                    events.emit(events.of(Type.OFFLINE).delay(s.offlineRecheck).detail("no attempt while offline"));
                    s.sleeper.sleep(s.offlineRecheck);
                    continue;
                }
                attempts++;
                ProvisioningResult result;
                try {
                    result = attempt();
                } catch (AttemptFailure failure) {
                    ProvisioningResult end = onFailure(failure, deadline);
                    if (end != null) {
                        return end;
                    }
                    continue;
                }
                return succeeded(result);
            }
        }

        private ProvisioningResult attempt() throws AttemptFailure, InterruptedException {
            String endpoint = s.dpsEndpoint;
            String idScope = s.dpsIdScope;
            boolean mustRegister = reprovisioning;
            if (api != null) {
                if (assignment == null) {
                    assignment = askApi();
                }
                endpoint = assignment.globalEndpoint;
                idScope = assignment.idScope;
                mustRegister |= askApiToPlaceAgain;
            }
            if (s.dpsStatusLookup && !mustRegister && !statusLookedUp) {
                Optional<ProvisioningResult> found = statusLookup.lookup(endpoint, idScope);
                statusLookedUp = true;
                if (found.isPresent()) {
                    return found.get();
                }
            }
            return registrar.register(endpoint, idScope);
        }

        /** A probe that throws is a bug in the application; trying is safer than never provisioning. */
        private boolean isOnline() {
            try {
                return s.probe.isOnline();
            } catch (RuntimeException e) {
                events.emit(events.of(Type.OFFLINE).detail("the connectivity probe failed (" + e
                        + "); trying anyway"));
                return true;
            }
        }

        private Assignment askApi() throws AttemptFailure {
            if (askApiToPlaceAgain) {
                return api.reprovision();
            }
            Optional<Assignment> known = api.lookup();
            Assignment a = known.isPresent() ? known.get() : api.request();
            if (a.reprovisionPending()) {
                // The service flagged the device to be placed again (a transfer or rebalance): honour it now.
                askApiToPlaceAgain = true;
                return api.reprovision();
            }
            return a;
        }

        private ProvisioningResult succeeded(ProvisioningResult result) {
            boolean recovered = !state.circuit.isClosed();
            state = state.withResult(result).withCircuit(CircuitState.CLOSED);
            states.save(state);
            if (recovered) {
                events.emit(events.of(Type.CIRCUIT_CLOSED).attempt(attempts).detail("a success closed the circuit"));
            }
            events.emit(events.of(Type.PROVISIONED).attempt(attempts).detail(result.detail()));
            return result;
        }

        /** Returns the run's end, or null to go on with the next attempt (after waiting if needed). */
        private ProvisioningResult onFailure(AttemptFailure f, Instant deadline) throws InterruptedException {
            events.emit(events.of(Type.ATTEMPT_FAILED).attempt(attempts).step(f.step()).status(f.status())
                    .failureKind(f.kind()).retryAfter(f.retryAfter().orElse(null)).detail(f.getMessage()));
            if (f.kind() != FailureKind.THROTTLED) {
                CircuitState circuit = state.circuit.failed();
                if (halfOpen || circuit.consecutiveFailures >= s.circuitBreaker.failureThreshold()) {
                    return openCircuit(circuit, f);
                }
                state = state.withCircuit(circuit);
                states.save(state);
            }
            if (f.kind() == FailureKind.PERMANENT) {
                return giveUp(Reason.PERMANENT_FAILURE, f.getMessage(), null);
            }
            Duration delay = Duration.ZERO;
            if (f.kind() == FailureKind.REREGISTER) {
                if (startedOver) {
                    return giveUp(Reason.PERMANENT_FAILURE, f.getMessage() + " (again, after registering from "
                            + "scratch)", null);
                }
                startOver(f.step());
            } else {
                backoffFailures++;
                delay = delays.retry(budget, backoffFailures, f);
            }
            if (attempts >= budget.maxAttempts()) {
                return giveUp(Reason.RETRY_BUDGET_EXHAUSTED, what + " failed " + attempts + " times, the most its "
                        + "retry budget allows; last: " + f.getMessage(), null);
            }
            Instant next = now().plus(delay);
            if (next.isAfter(deadline)) {
                return giveUp(Reason.RETRY_BUDGET_EXHAUSTED, what + " would have to wait until " + next
                        + ", past its retry budget (" + budget.maxElapsed() + "); last: " + f.getMessage(), next);
            }
            if (!delay.isZero()) {
                events.emit(events.of(Type.RETRY_SCHEDULED).attempt(attempts).step(f.step()).delay(delay)
                        .detail(f.retryAfter().map(ra -> "the service asked for " + ra.getSeconds() + " s")
                                .orElse("exponential backoff with full jitter")));
                s.sleeper.sleep(delay);
            }
            return null;
        }

        /** After a 401, 403 or 404: forget what this run learnt and register from scratch. */
        private void startOver(Step failedStep) {
            startedOver = true;
            assignment = null;
            statusLookedUp = false;
            boolean dpsRefused = failedStep == Step.DPS_REGISTER || failedStep == Step.DPS_STATUS_LOOKUP;
            // DPS not knowing the device at the instance the API named: ask the API for a fresh placement.
            askApiToPlaceAgain |= dpsRefused && api != null;
            events.emit(events.of(Type.REREGISTER).attempt(attempts).step(failedStep).detail(dpsRefused && api != null
                    ? "asking the provisioning API to place the device again" : "starting over from the first step"));
        }

        private ProvisioningResult openCircuit(CircuitState failed, AttemptFailure f) {
            CircuitState opened = failed.openedUntil(now().plus(delays.openFor(s.circuitBreaker,
                    failed.timesOpened + 1)));
            state = state.withCircuit(opened);
            states.save(state);
            events.emit(events.of(Type.CIRCUIT_OPENED).attempt(attempts).until(opened.openUntil).detail("after "
                    + opened.consecutiveFailures + " consecutive failures" + (halfOpen ? " (the half-open trial failed)"
                    : "") + "; last: " + f.getMessage()));
            return giveUp(Reason.CIRCUIT_OPEN, what + " failed " + opened.consecutiveFailures + " times in a row; "
                    + "the circuit breaker is open until " + opened.openUntil + "; last: " + f.getMessage(),
                    opened.openUntil);
        }

        ProvisioningResult giveUp(Reason reason, String detail, Instant retryNotBefore) {
            events.emit(events.of(Type.GAVE_UP).attempt(attempts).detail(reason + ": " + detail));
            return ProvisioningResult.unprovisioned(reason, detail, retryNotBefore);
        }
    }

    private Instant now() {
        return s.clock.instant();
    }
}
