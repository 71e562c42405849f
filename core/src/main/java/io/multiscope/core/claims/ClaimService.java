package io.multiscope.core.claims;

import io.multiscope.core.AssignmentResult;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.MultiscopeException;
import io.multiscope.core.ProxyProvisioningService;
import io.multiscope.core.RegistrationIds;
import io.multiscope.core.RegistrationResult;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.internal.claims.InstallerRateLimiter;
import io.multiscope.core.ownership.ClaimCode;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipNotFoundException;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.InventoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pattern 4 of the architecture: low-touch provisioning. An installer's app claims a device with the code printed on
 * it and receives the device's signed {@link ProvisioningBundle}, which it hands to the device locally.
 *
 * <p>Per claim, in this order:
 * <ol>
 *   <li><b>authenticate</b> the installer's bearer token ({@link InstallerTokenVerifier}) → who and which tenant;</li>
 *   <li><b>rate limit</b>: every attempt counts against the installer's token bucket (default 10 a minute); over
 *       the limit the attempt is refused unread, right code or not ({@link ClaimRateLimitedException});</li>
 *   <li><b>validate</b> the registration id (DPS rules) and the code's form ({@link ClaimCodes});</li>
 *   <li><b>find</b> the device in the ownership registry. Tenant isolation: a device that does not exist and a
 *       device another tenant owns are refused alike ({@link ClaimRefusedException.Reason#NOT_FOUND}, same
 *       message, the same single read), so an installer learns nothing about other tenants' devices. Only for the
 *       installer's own tenant's devices do the answers get specific: no code issued, wrong code, and, to holders of
 *       the right code only, code used or expired;</li>
 *   <li><b>place</b> the device through the configured provisioning service, on the claim's authority instead of
 *       a device credential ({@link ClaimGrant}): <i>direct</i> — a {@link ZeroTouchProvisioning} chooses and
 *       records the DPS instance, the bundle carries its endpoint and ID scope; or <i>proxy</i> — a
 *       {@link ProxyProvisioningService} registers the device with DPS, the bundle also carries the assigned hub and
 *       device id. Placement is sticky and idempotent, so a claim that loses a race below did no harm;</li>
 *   <li><b>sign</b> the bundle ({@link BundleSigner});</li>
 *   <li><b>use the code</b>: one conditional write of the ownership record marks the code used by this installer
 *       and records the device's DPS instance as its active one. Of concurrent claims of one code exactly one
 *       write succeeds; the others are refused as {@link ClaimRefusedException.Reason#CODE_USED}.</li>
 * </ol>
 * Every refusal happens before anything is written (only the rate limiter counts), so a refused claim changes
 * nothing. A claim deferred for lack of DPS budget ({@link ClaimDeferredException}) or failing on DPS leaves the code
 * unused, to be tried again.
 *
 * <p>Rate limits are per node, like admission control: behind a load balancer each node counts its own attempts.
 *
 * <p>Thread-safe; the codes' state lives in the {@link OwnershipRegistry}, so several nodes may serve the same fleet.
 */
public final class ClaimService {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimService.class);
    private static final int MAX_WRITE_ATTEMPTS = 5;

    private final InstallerTokenVerifier installers;
    private final OwnershipRegistry ownership;
    private final ClaimCodeHasher hasher;
    private final BundleSigner signer;
    private final Clock clock;
    private final Duration bundleLifetime;
    private final InstallerRateLimiter limiter;
    private final Function<ClaimGrant, CompletableFuture<Placement>> provisioner;
    private final String variant;

    /** Where the provisioning service put the device. */
    private record Placement(String instanceId, String globalEndpoint, String idScope, Optional<String> assignedHub,
            Optional<String> deviceId) {
    }

    private ClaimService(Builder b, OwnershipRegistry ownership) {
        this.installers = b.installers;
        this.ownership = ownership;
        this.hasher = b.hasher;
        this.signer = b.signer;
        this.clock = b.clock;
        this.bundleLifetime = b.bundleLifetime;
        this.limiter = new InstallerRateLimiter(b.attemptsPerMinute, b.burst, b.maxTrackedInstallers, b.clock);
        if (b.direct != null) {
            ZeroTouchProvisioning direct = b.direct;
            this.provisioner = grant -> CompletableFuture.completedFuture(placed(direct.assignClaimed(grant)));
            this.variant = "direct";
        } else {
            ProxyProvisioningService proxy = b.proxy;
            this.provisioner = grant -> proxy.registerClaimed(grant).thenApply(ClaimService::registered);
            this.variant = "proxy";
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies an installer's bearer token.
     *
     * @param bearerToken the token after {@code Bearer }
     * @throws InstallerAuthenticationException if it is missing or not acceptable
     */
    public InstallerIdentity authenticate(String bearerToken) {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw new InstallerAuthenticationException(InstallerAuthenticationException.AUTHENTICATION_REQUIRED,
                    "no installer token was presented; send Authorization: Bearer <installer token>");
        }
        InstallerIdentity installer = installers.verify(bearerToken);
        if (installer == null) {
            throw new IllegalStateException("the installer token verifier " + installers + " returned null; it must "
                    + "return an identity or throw InstallerAuthenticationException");
        }
        return installer;
    }

    /**
     * Claims a device for an authenticated installer. The checks up to the placement run before this returns and
     * throw; placement, signing and the use of the code complete the future.
     *
     * @param installer who claims, as {@link #authenticate} (or the application's own authentication) established
     * @return completes with the signed bundle, or exceptionally with {@link ClaimRefusedException} (the code was
     *     used by a concurrent claim, or the record changed meanwhile), {@link ClaimDeferredException} (no DPS budget
     *     now), or a provisioning failure ({@link io.multiscope.core.DpsUnavailableException},
     *     {@link io.multiscope.core.DpsRefusedException}, {@link io.multiscope.core.AllocationRejectedException}, a
     *     store failure)
     * @throws ClaimRateLimitedException if the installer is over the rate limit
     * @throws io.multiscope.core.InvalidRequestException if the registration id ({@code invalid-registration-id}) or
     *     the code ({@code invalid-claim-code}) is malformed
     * @throws ClaimRefusedException if the device cannot be claimed with this code by this installer
     */
    public CompletableFuture<ProvisioningBundle> claimAsync(InstallerIdentity installer, ClaimRequest request) {
        Objects.requireNonNull(installer, "installer");
        Objects.requireNonNull(request, "request");
        Optional<Duration> wait = limiter.tryAcquire(installer.installerId());
        if (wait.isPresent()) {
            LOG.debug("Installer {} of tenant {} is over the claim rate limit", installer.installerId(),
                    installer.tenant());
            throw new ClaimRateLimitedException(installer.installerId(), wait.get());
        }
        String id = RegistrationIds.normalise(request.registrationId());
        String code = ClaimCodes.normalise(request.claimCode());
        Optional<Ownership> found = ownership.find(id);
        if (found.isEmpty() || !found.get().owner().equals(installer.tenant())) {
            if (found.isPresent()) {
                LOG.warn("Installer {} of tenant {} tried to claim device {}, which another tenant owns; refused as "
                        + "unknown", installer.installerId(), installer.tenant(), id);
            }
            throw notFound(id, installer);
        }
        Ownership record = found.get();
        Instant now = clock.instant();
        checkCode(record, code, installer, now);
        ClaimGrant grant = new ClaimGrant(id, record.owner(), installer.installerId(), now);
        return provisioner.apply(grant).thenApply(placement -> complete(grant, record, placement));
    }

    /**
     * {@link #claimAsync} and wait for the bundle, with failures unwrapped (thrown as themselves, not inside a
     * {@link CompletionException}).
     */
    public ProvisioningBundle claim(InstallerIdentity installer, ClaimRequest request) {
        try {
            return claimAsync(installer, request).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** The ownership registry claims are checked against and recorded in. */
    public OwnershipRegistry ownership() {
        return ownership;
    }

    @Override
    public String toString() {
        return "ClaimService[" + variant + ", bundleLifetime=" + bundleLifetime + "]";
    }

    private void checkCode(Ownership record, String code, InstallerIdentity installer, Instant now) {
        String id = record.registrationId();
        if (record.claim().isEmpty()) {
            throw refuse(ClaimRefusedException.Reason.NO_CODE, "No claim code was issued for device '" + id
                    + "'; ask its owner to issue one", id, installer);
        }
        ClaimCode claim = record.claim().get();
        if (!hasher.matches(id, code, claim.hash())) {
            throw refuse(ClaimRefusedException.Reason.CODE_MISMATCH, "The claim code does not match device '" + id
                    + "'; check the code printed on the device", id, installer);
        }
        if (claim.isUsed()) {
            throw used(id, claim, installer);
        }
        if (!now.isBefore(claim.expiresAt())) {
            throw refuse(ClaimRefusedException.Reason.CODE_EXPIRED, "The claim code of device '" + id + "' expired "
                    + "at " + claim.expiresAt() + "; ask the device's owner for a new one", id, installer);
        }
    }

    private ProvisioningBundle complete(ClaimGrant grant, Ownership read, Placement placement) {
        String id = grant.registrationId();
        Instant issuedAt = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expiresAt = issuedAt.plus(bundleLifetime);
        String text = ProvisioningBundle.signedText(id, placement.globalEndpoint(), placement.idScope(),
                placement.assignedHub(), placement.deviceId(), issuedAt, expiresAt);
        BundleSignature signature = signer.sign(id, grant.owner(), text.getBytes(StandardCharsets.UTF_8))
                .orElseThrow(() -> new MultiscopeException("No bundle signer has a key for device '" + id
                        + "'; configure one (BundleSigners) for its key or certificate. The claim code was not used",
                        id, placement.instanceId(), null));
        ProvisioningBundle bundle = new ProvisioningBundle(ProvisioningBundle.VERSION, id,
                placement.globalEndpoint(), placement.idScope(), placement.assignedHub(), placement.deviceId(),
                issuedAt, expiresAt, signature.alg(), signature.signature());
        useCode(grant, read, placement.instanceId());
        LOG.info("Installer {} of tenant {} claimed device {} on DPS instance {}", grant.installerId(), grant.owner(),
                id, placement.instanceId());
        return bundle;
    }

    /**
     * Marks the code used, conditional on the record's version. A concurrent change that left the code open (another
     * writer touched the record) is applied again on the fresh record; one that used, replaced or moved the code
     * refuses this claim.
     */
    private void useCode(ClaimGrant grant, Ownership read, String instanceId) {
        String id = grant.registrationId();
        String hash = read.claim().orElseThrow().hash();
        Ownership current = read;
        for (int attempt = 1; ; attempt++) {
            try {
                ownership.update(current.withActiveInstance(instanceId)
                        .withClaim(current.claim().orElseThrow().usedBy(grant.installerId(), clock.instant())));
                return;
            } catch (ConcurrentUpdateException | OwnershipNotFoundException e) {
                Optional<Ownership> fresh = ownership.find(id);
                InstallerIdentity installer = new InstallerIdentity(grant.installerId(), grant.owner());
                if (fresh.isEmpty() || !fresh.get().owner().equals(grant.owner())) {
                    throw notFound(id, installer);
                }
                Optional<ClaimCode> claim = fresh.get().claim();
                if (claim.isEmpty() || !claim.get().hash().equals(hash)) {
                    throw refuse(ClaimRefusedException.Reason.CODE_MISMATCH, "The claim code of device '" + id
                            + "' was replaced while it was being claimed; use the new code", id, installer);
                }
                if (claim.get().isUsed()) {
                    throw used(id, claim.get(), installer);
                }
                if (attempt >= MAX_WRITE_ATTEMPTS) {
                    throw e;
                }
                current = fresh.get();
            }
        }
    }

    private static Placement placed(AssignmentResult result) {
        if (result instanceof AssignmentResult.Deferred d) {
            throw new ClaimDeferredException(d.registrationId(), d.retryAfter(), d.reason());
        }
        DeviceAssignment a = ((AssignmentResult.Assigned) result).assignment();
        return new Placement(a.instanceId(), a.globalEndpoint(), a.idScope(), Optional.empty(), Optional.empty());
    }

    private static Placement registered(RegistrationResult result) {
        if (result instanceof RegistrationResult.Deferred d) {
            throw new ClaimDeferredException(d.registrationId(), d.retryAfter(), d.reason());
        }
        DeviceAssignment a = ((RegistrationResult.Registered) result).assignment();
        return new Placement(a.instanceId(), a.globalEndpoint(), a.idScope(), a.assignedHub(), a.deviceId());
    }

    private static ClaimRefusedException used(String id, ClaimCode claim, InstallerIdentity installer) {
        String by = claim.claimedBy().filter(installer.installerId()::equals).isPresent() ? "by you"
                : "by another installer";
        return refuse(ClaimRefusedException.Reason.CODE_USED, "The claim code of device '" + id + "' was used "
                + by + " at " + claim.claimedAt().orElseThrow() + "; a code works once", id, installer);
    }

    /** The one answer for a device that does not exist and a device of another tenant. */
    private static ClaimRefusedException notFound(String id, InstallerIdentity installer) {
        return new ClaimRefusedException(ClaimRefusedException.Reason.NOT_FOUND, "No device '" + id
                + "' can be claimed by tenant '" + installer.tenant() + "'", id);
    }

    private static ClaimRefusedException refuse(ClaimRefusedException.Reason reason, String message, String id,
            InstallerIdentity installer) {
        LOG.info("Claim of device {} by installer {} of tenant {} refused: {}", id, installer.installerId(),
                installer.tenant(), reason.problemType());
        return new ClaimRefusedException(reason, message, id);
    }

    /**
     * Configures a {@link ClaimService}. Required: the installer verifier, the code hasher, the bundle signer and
     * exactly one provisioning variant ({@link #direct} or {@link #proxy}). Defaults: the ownership registry of the
     * provisioning service's store, 10 attempts a minute per installer (burst 10) for up to 100,000 installers in
     * memory, bundles valid for 1 hour, the system UTC clock.
     */
    public static final class Builder {
        private InstallerTokenVerifier installers;
        private ClaimCodeHasher hasher;
        private BundleSigner signer;
        private ZeroTouchProvisioning direct;
        private ProxyProvisioningService proxy;
        private OwnershipRegistry ownership;
        private Clock clock = Clock.systemUTC();
        private int attemptsPerMinute = 10;
        private int burst = 10;
        private long maxTrackedInstallers = 100_000;
        private Duration bundleLifetime = Duration.ofHours(1);

        private Builder() {
        }

        /** How installers' bearer tokens are verified, e.g. {@link HmacInstallerTokens} or an OIDC verifier. */
        public Builder installers(InstallerTokenVerifier verifier) {
            this.installers = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /** How the stored claim code hashes are checked; the one the codes were issued with. */
        public Builder codeHasher(ClaimCodeHasher hasher) {
            this.hasher = Objects.requireNonNull(hasher, "hasher");
            return this;
        }

        /** How bundles are signed ({@link BundleSigners}). */
        public Builder bundleSigner(BundleSigner signer) {
            this.signer = Objects.requireNonNull(signer, "signer");
            return this;
        }

        /** Direct variant: the service places the device; the bundle carries its DPS endpoint and ID scope. */
        public Builder direct(ZeroTouchProvisioning service) {
            this.direct = Objects.requireNonNull(service, "service");
            return this;
        }

        /** Proxy variant: the service registers the device with DPS; the bundle also carries hub and device id. */
        public Builder proxy(ProxyProvisioningService proxy) {
            this.proxy = Objects.requireNonNull(proxy, "proxy");
            return this;
        }

        /** Where devices' owners and claim codes are kept; the provisioning service's store's by default. */
        public Builder ownership(OwnershipRegistry registry) {
            this.ownership = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Time for code expiry, bundle times and the rate limit (a {@code VirtualClock} in tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Claim attempts per installer per minute, all at once if need be. 1 to 10,000; 10 by default. */
        public Builder rateLimit(int attemptsPerMinute) {
            return rateLimit(attemptsPerMinute, attemptsPerMinute);
        }

        /**
         * Claim attempts per installer per minute, and how many may come at once (the bucket's size). Both 1 to
         * 10,000.
         */
        public Builder rateLimit(int attemptsPerMinute, int burst) {
            if (attemptsPerMinute < 1 || attemptsPerMinute > 10_000) {
                throw new IllegalArgumentException("attemptsPerMinute must be 1 to 10,000, was " + attemptsPerMinute);
            }
            if (burst < 1 || burst > 10_000) {
                throw new IllegalArgumentException("burst must be 1 to 10,000, was " + burst);
            }
            this.attemptsPerMinute = attemptsPerMinute;
            this.burst = burst;
            return this;
        }

        /**
         * The most installers whose rate limit is kept in memory (least recently active dropped first); 1,000 to
         * 10,000,000. An installer's bucket is also dropped once it would have refilled completely anyway.
         */
        public Builder maxTrackedInstallers(long max) {
            if (max < 1_000 || max > 10_000_000) {
                throw new IllegalArgumentException("maxTrackedInstallers must be 1,000 to 10,000,000, was " + max);
            }
            this.maxTrackedInstallers = max;
            return this;
        }

        /** How long a device accepts its bundle after it was issued; 1 minute to 7 days, 1 hour by default. */
        public Builder bundleLifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "lifetime");
            if (lifetime.compareTo(Duration.ofMinutes(1)) < 0 || lifetime.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("bundleLifetime must be 1 minute to 7 days, was " + lifetime);
            }
            this.bundleLifetime = lifetime.truncatedTo(ChronoUnit.SECONDS);
            return this;
        }

        /** @throws IllegalStateException naming what is missing or contradictory */
        public ClaimService build() {
            if (installers == null) {
                throw new IllegalStateException("an installer token verifier is required: how do installers prove "
                        + "who they are? e.g. HmacInstallerTokens.builder(key).build()");
            }
            if (hasher == null) {
                throw new IllegalStateException("a claim code hasher is required: the one the codes were issued with");
            }
            if (signer == null) {
                throw new IllegalStateException("a bundle signer is required, e.g. BundleSigners.groupKey(...)");
            }
            if ((direct == null) == (proxy == null)) {
                throw new IllegalStateException(direct == null
                        ? "a provisioning variant is required: direct(ZeroTouchProvisioning) or "
                                + "proxy(ProxyProvisioningService)"
                        : "direct and proxy exclude each other: configure one provisioning variant");
            }
            OwnershipRegistry registry = ownership;
            if (registry == null) {
                InventoryStore store = direct != null ? direct.store() : proxy.store();
                try {
                    registry = store.ownership();
                } catch (UnsupportedOperationException e) {
                    throw new IllegalStateException("the provisioning service's store keeps no ownership registry; "
                            + "configure one with ownership(...)", e);
                }
            }
            return new ClaimService(this, registry);
        }
    }
}
