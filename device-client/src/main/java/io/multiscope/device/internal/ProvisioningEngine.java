package io.multiscope.device.internal;

import io.multiscope.device.FailureKind;
import io.multiscope.device.InvalidBundleException;
import io.multiscope.device.ProvisioningEvent.Step;
import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.device.ProvisioningResult;
import io.multiscope.device.ProvisioningResult.Reason;
import io.multiscope.device.RetryBudget;
import java.net.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 *
 * An attempt starts at the bundle's DPS instance if a bundle is in force, else at the provisioning API's choice or
 * the configured instance, and follows redirects in assigned results (pattern 3) from there; a retry carries on at
 * the instance the chain had reached. Only the end of the chain is persisted, in one write.
 */
public final class ProvisioningEngine {

    private final Settings s;
    private final Events events;
    private final StateKeeper states;
    private final Delays delays;
    private final ProvisioningApiClient api;
    private final DpsStatusLookup statusLookup;
    private final SdkRegistrar registrar;
    private final Redirects redirects;
    private final BundleVerifier bundles;
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
        this.redirects = new Redirects(settings.maxRedirects);
        this.bundles = new BundleVerifier(settings.credentials, settings.bundleVerificationKey,
                settings.bundleExpiryTolerance);
    }

    public String registrationId() {
        return registrationId;
    }

    /** The stored result if valid, else {@link ProvisioningResult#UNPROVISIONED}; never touches the network. */
    public synchronized ProvisioningResult current() {
        DeviceState state = states.load();
        return state.result == null ? currentOf(state) : state.result.withSource(ProvisioningResult.Source.STORED);
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

    /**
     * Verifies a provisioning bundle and, if it is good, stores it in place of the current state: a bundle with an
     * assignment becomes the stored result, one without makes the next run register at its DPS instance. The
     * circuit breaker is reset: someone is standing at the device with fresh instructions.
     *
     * @return the stored result now: provisioned from the bundle, or unprovisioned (naming the DPS instance the next
     *     {@code ensureProvisioned()} registers with)
     * @throws InvalidBundleException if the bundle is refused; nothing changes
     * @throws java.io.UncheckedIOException if the store could not write; nothing changes
     */
    public synchronized ProvisioningResult applyBundle(byte[] bytes) {
        DeviceState state = states.load();
        VerifiedBundle bundle;
        try {
            bundle = bundles.verify(bytes, now());
            if (state.bundle != null && bundle.issuedAt.isBefore(state.bundle.issuedAt)) {
                throw new InvalidBundleException(InvalidBundleException.Reason.SUPERSEDED, registrationId,
                        "it was issued at " + bundle.issuedAt + ", before the bundle in force (issued at "
                        + state.bundle.issuedAt + ")");
            }
        } catch (InvalidBundleException e) {
            events.emit(events.of(Type.BUNDLE_REJECTED).detail(e.getMessage()));
            throw e;
        }
        if (state.bundle != null && state.bundle.signature.equals(bundle.signature)) {
            // The same bundle handed over twice (an installer app retrying): what it said is already in force.
            events.emit(events.of(Type.BUNDLE_APPLIED).detail("the bundle for " + bundle.target + " issued at "
                    + bundle.issuedAt + " is already in force; nothing changed"));
            return state.result != null ? state.result.withSource(ProvisioningResult.Source.STORED)
                    : currentOf(state);
        }
        ProvisioningResult result = bundle.isAssigned() ? ProvisioningResult.provisioned(registrationId,
                bundle.assignedHub, bundle.deviceId, bundle.target.globalEndpoint, bundle.target.idScope, null, now(),
                ProvisioningResult.Source.BUNDLE) : null;
        DeviceState next = new DeviceState(state.configuration, result, CircuitState.CLOSED, bundle.record());
        states.saveOrThrow(next, "the provisioning bundle");
        events.emit(events.of(Type.BUNDLE_APPLIED).detail(result != null ? "provisioned by the bundle: "
                + result.detail() : "the next provisioning registers with DPS " + bundle.target
                + " (from the bundle issued at " + bundle.issuedAt + ")"));
        return currentOf(next);
    }

    private ProvisioningResult currentOf(DeviceState state) {
        if (state.result != null) {
            return state.result;
        }
        if (state.bundle != null) {
            return ProvisioningResult.unprovisioned(Reason.NOT_PROVISIONED, "a provisioning bundle is in force; the "
                    + "next provisioning registers with DPS " + state.bundle.target, null);
        }
        return ProvisioningResult.UNPROVISIONED;
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
        /**
         * The DPS instances this run registered with so far, the one to (re)try last: kept across attempts so a
         * failure at a redirect's target is retried there, not from the first instance.
         */
        private final List<DpsTarget> chain = new ArrayList<>();
        /** Instances whose status lookup answered "not assigned" (or with a redirect) in this run. */
        private final Set<String> lookedUp = new HashSet<>();

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
            if (chain.isEmpty()) {
                chain.add(firstTarget());
            }
            while (true) {
                DpsTarget at = chain.get(chain.size() - 1);
                ProvisioningResult result = registerAt(at);
                Optional<DpsTarget> next = redirects.next(result, chain);
                if (next.isEmpty()) {
                    List<String> from = new ArrayList<>();
                    chain.subList(0, chain.size() - 1).forEach(t -> from.add(t.toString()));
                    return from.isEmpty() ? result : result.withRedirectedFrom(from);
                }
                chain.add(next.get());
                events.emit(events.of(Type.REDIRECTED).attempt(attempts).detail("hop " + (chain.size() - 1)
                        + " of at most " + s.maxRedirects + ": DPS " + at + " assigned the device to "
                        + result.assignedHub() + " with a redirect to DPS " + next.get()));
            }
        }

        /** A bundle in force wins over the configured endpoint: an installer said where this device belongs. */
        private DpsTarget firstTarget() throws AttemptFailure {
            if (state.bundle != null) {
                return state.bundle.target;
            }
            if (api != null) {
                if (assignment == null) {
                    assignment = askApi();
                }
                return new DpsTarget(assignment.globalEndpoint, assignment.idScope);
            }
            return new DpsTarget(s.dpsEndpoint, s.dpsIdScope);
        }

        private ProvisioningResult registerAt(DpsTarget at) throws AttemptFailure, InterruptedException {
            boolean mustRegister = reprovisioning || (askApiToPlaceAgain && state.bundle == null);
            if (s.dpsStatusLookup && !mustRegister && !lookedUp.contains(at.key())) {
                Optional<ProvisioningResult> found = statusLookup.lookup(at.globalEndpoint, at.idScope);
                // A looked-up redirect is the webhook's answer at the last registration: ownership may have moved
                // since (a transfer), so only registering again gets the factory's current answer.
                if (found.isPresent() && !Redirects.carriesRedirect(found.get())) {
                    return found.get();
                }
                lookedUp.add(at.key());
            }
            return registrar.register(at.globalEndpoint, at.idScope);
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
            if (f.kind() == FailureKind.REDIRECT_REFUSED) {
                return giveUp(Reason.REDIRECT_REFUSED, f.getMessage(), null);
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
            chain.clear();
            lookedUp.clear();
            boolean dpsRefused = failedStep == Step.DPS_REGISTER || failedStep == Step.DPS_STATUS_LOOKUP;
            // DPS not knowing the device at the instance the API named: ask the API for a fresh placement.
            boolean askApi = dpsRefused && api != null && state.bundle == null;
            askApiToPlaceAgain |= askApi;
            events.emit(events.of(Type.REREGISTER).attempt(attempts).step(failedStep).detail(askApi
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
