package io.multiscope.core.attestation;

import io.multiscope.core.RegistrationIds;
import io.multiscope.core.hardwareid.HardwareIdProof;
import io.multiscope.core.hardwareid.HardwareIdRecord;
import io.multiscope.core.hardwareid.HardwareIdRegistry;
import io.multiscope.core.internal.Untrusted;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Accepts devices on a manufacturer's list (the article's example: a manufacturing partner regularly supplies lists
 * of unique hardware identifiers that the vendor loads into a database): the device's hardware id is its registration
 * id, and it proves it holds the secret or private key behind it with a short-lived {@link HardwareIdProof} in the
 * {@code Authorization} header. Works with pattern 1 and pattern 2 alike, alone or in {@link Attestations#anyOf}.
 *
 * <p>A proof is accepted when it is well formed, is for the device that sent it, has not expired (allowing
 * {@link Builder#maxClockSkew}), is not valid for longer than {@link Builder#maxProofLifetime} (5 minutes by default:
 * it is meant to be made per request), the id is listed, and the signature matches the listed credential. A revoked
 * id is refused ({@value #REVOKED}) once the device has shown a valid proof, so only the holder learns it was revoked;
 * unlisted ids and wrong signatures get the same answer, so the refusal reveals nothing about the list.
 *
 * <p>On the first successful proof the registry records when the device was first seen, so imported-but-never-seen
 * devices can be listed ({@link HardwareIdRegistry#neverSeen}); that bookkeeping is the only state this attestation
 * changes, and it is idempotent.
 *
 * <p>A proof may be replayed until it expires, as a SAS token can; keep the lifetime short and the transport TLS.
 */
public final class HardwareIdAttestation implements Attestation {

    /** {@link AttestedIdentity#method()} of devices accepted here. */
    public static final String METHOD = "hardware-id";
    /** The problem type of a revoked id. */
    public static final String REVOKED = "hardware-id-revoked";

    private final HardwareIdRegistry registry;
    private final Clock clock;
    private final Duration maxClockSkew;
    private final Duration maxProofLifetime;

    private HardwareIdAttestation(Builder b) {
        this.registry = b.registry;
        this.clock = b.clock;
        this.maxClockSkew = b.maxClockSkew;
        this.maxProofLifetime = b.maxProofLifetime;
    }

    /** Devices listed in {@code registry}; every other setting is the default. */
    public static HardwareIdAttestation of(HardwareIdRegistry registry) {
        return builder(registry).build();
    }

    public static Builder builder(HardwareIdRegistry registry) {
        return new Builder(registry);
    }

    @Override
    public boolean handles(AttestationRequest request) {
        return request.authorization().map(a -> a.strip().regionMatches(true, 0, HardwareIdProof.SCHEME + " ", 0,
                HardwareIdProof.SCHEME.length() + 1)).orElse(false);
    }

    @Override
    public String expectedCredential() {
        return "a HardwareId proof in the Authorization header";
    }

    @Override
    public AttestedIdentity verify(AttestationRequest request) {
        Objects.requireNonNull(request, "request");
        String sentId = request.registrationId();
        String id = RegistrationIds.normalise(sentId);
        String device = "device '" + sentId + "'";
        String header = request.authorization().orElseThrow(() -> new AttestationException(
                AttestationException.AUTHENTICATION_REQUIRED, device + " sent no Authorization header; expected "
                        + expectedCredential(), sentId));
        HardwareIdProof proof;
        try {
            proof = HardwareIdProof.parse(header);
        } catch (IllegalArgumentException e) {
            throw new AttestationException(AttestationException.INVALID_TOKEN, "the Authorization header of " + device
                    + " is not a well-formed proof (" + e.getMessage() + "); expected '" + HardwareIdProof.SCHEME
                    + " id=...&se=...&sig=...'", sentId);
        }
        if (!proof.hardwareId().equalsIgnoreCase(sentId)) {
            throw new AttestationException(AttestationException.WRONG_DEVICE, "the proof presented by " + device
                    + " was made for " + Untrusted.quote(proof.hardwareId()), sentId);
        }
        Instant now = clock.instant();
        if (proof.expiresAt().isBefore(now.minus(maxClockSkew))) {
            throw new AttestationException(AttestationException.TOKEN_EXPIRED, "the proof of " + device
                    + " expired at " + proof.expiresAt() + " (now " + now + "); make a new one", sentId);
        }
        if (proof.expiresAt().isAfter(now.plus(maxProofLifetime).plus(maxClockSkew))) {
            throw new AttestationException(AttestationException.TOKEN_LIFETIME_TOO_LONG, "the proof of " + device
                    + " is valid until " + proof.expiresAt() + ", longer than the " + maxProofLifetime
                    + " this service accepts", sentId);
        }
        Optional<HardwareIdRecord> listed = registry.find(id);
        if (listed.isEmpty() || !proof.verify(listed.get().credential())) {
            // One answer for an unlisted id and a wrong signature: the refusal must not reveal what is listed.
            throw new AttestationException(AttestationException.INVALID_SIGNATURE, "the proof of " + device
                    + " is not signed with a credential listed for it", sentId);
        }
        HardwareIdRecord record = listed.get();
        if (record.isRevoked()) {
            throw new AttestationException(REVOKED, "hardware id '" + id + "' was revoked on "
                    + record.revokedAt().get() + "; it can no longer be provisioned", sentId);
        }
        if (record.firstSeenAt().isEmpty()) {
            registry.markSeen(id, now);
        }
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("credential", record.credential().kind().name());
        claims.put("batch", record.batch());
        claims.put("proofExpiresAt", proof.expiresAt().toString());
        return new AttestedIdentity(id, Optional.empty(), METHOD, claims);
    }

    /** Builds a {@link HardwareIdAttestation}. Defaults: 5 minutes of clock skew and of proof lifetime, system UTC. */
    public static final class Builder {
        private final HardwareIdRegistry registry;
        private Clock clock = Clock.systemUTC();
        private Duration maxClockSkew = Duration.ofMinutes(5);
        private Duration maxProofLifetime = Duration.ofMinutes(5);

        private Builder(HardwareIdRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How far a device's clock may be off ({@code 0..1h}). */
        public Builder maxClockSkew(Duration skew) {
            Objects.requireNonNull(skew, "skew");
            if (skew.isNegative() || skew.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("maxClockSkew must be between 0 and 1 hour, was " + skew);
            }
            this.maxClockSkew = skew;
            return this;
        }

        /** The longest a proof may still be valid for when presented ({@code > 0}, at most 1 day). */
        public Builder maxProofLifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "lifetime");
            if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("maxProofLifetime must be > 0 and at most one day, was "
                        + lifetime);
            }
            this.maxProofLifetime = lifetime;
            return this;
        }

        public HardwareIdAttestation build() {
            return new HardwareIdAttestation(this);
        }
    }
}
