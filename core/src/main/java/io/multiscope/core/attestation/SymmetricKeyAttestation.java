package io.multiscope.core.attestation;

import io.multiscope.core.RegistrationIds;
import io.multiscope.core.internal.SymmetricKeys;
import io.multiscope.core.internal.Untrusted;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Verifies DPS-style SAS tokens ({@code Authorization: SharedAccessSignature sr=...&sig=...&se=...&skn=...}), so a
 * device authenticates to Multiscope exactly as it would to DPS, with the same key and the same Azure SDK code.
 *
 * <p>The resource a device signs is {@code {scope}/registrations/{registrationId}}. DPS puts its ID scope there;
 * Multiscope's provisioning API has no ID scope of its own (it hands one out), so the scope is a fixed name,
 * {@value #DEFAULT_SCOPE} unless {@link Builder#scope configured} otherwise. A device signs with:
 * <ul>
 *   <li>its <b>individual key</b>, looked up by {@link Builder#individualKeys}; or</li>
 *   <li>a key <b>derived from a group key</b> exactly as DPS derives it for enrollment groups
 *       ({@link SasToken#deriveDeviceKey}: {@code base64(HMAC-SHA256(groupKey, registrationId))}), so a factory
 *       flashes each device with its derived key and never the group key. Each group has a primary and optionally a
 *       secondary key (both are accepted, for rotation), and optionally a tenant, which then becomes the device's
 *       tenant.</li>
 * </ul>
 * As in DPS, an individual key wins: a device that has one is not accepted with a group-derived key.
 *
 * <p>A token is accepted when it is well-formed, is for this device, has not expired (allowing
 * {@link Builder#maxClockSkew} for device clocks), is not valid for longer than {@link Builder#maxTokenLifetime} (a
 * token valid for years is a leaked password), and is signed with the device's key in any form DPS accepts (compared
 * in constant time). The registration id is case-insensitive for matching, as in DPS, but group keys are derived from
 * the id exactly as the device sent it, as the Azure SDKs do.
 */
public final class SymmetricKeyAttestation implements Attestation {

    /** The scope in the signed resource unless configured otherwise. */
    public static final String DEFAULT_SCOPE = "multiscope";

    private static final String REGISTRATIONS = "/registrations/";

    private final String scope;
    private final List<GroupKey> groups;
    private final Function<String, Optional<String>> individualKeys;
    private final Clock clock;
    private final Duration maxClockSkew;
    private final Duration maxTokenLifetime;

    private SymmetricKeyAttestation(Builder b) {
        this.scope = b.scope;
        this.groups = List.copyOf(b.groups);
        this.individualKeys = b.individualKeys != null ? b.individualKeys : id -> Optional.empty();
        this.clock = b.clock;
        this.maxClockSkew = b.maxClockSkew;
        this.maxTokenLifetime = b.maxTokenLifetime;
    }

    /** Devices sign with keys derived from this group key (no tenant); every other setting is the default. */
    public static SymmetricKeyAttestation withGroupKey(String groupKeyBase64) {
        return builder().groupKey(groupKeyBase64).build();
    }

    /** Devices sign with their own keys, found by {@code resolver}; every other setting is the default. */
    public static SymmetricKeyAttestation withIndividualKeys(Function<String, Optional<String>> resolver) {
        return builder().individualKeys(resolver).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The resource a device signs for: {@code {scope}/registrations/{registrationId}}. */
    public String resourceFor(String registrationId) {
        return SasToken.deviceResource(scope, registrationId);
    }

    @Override
    public boolean handles(AttestationRequest request) {
        return request.authorization().isPresent();
    }

    @Override
    public String expectedCredential() {
        return "a SAS token in the Authorization header";
    }

    @Override
    public AttestedIdentity verify(AttestationRequest request) {
        Objects.requireNonNull(request, "request");
        String sentId = request.registrationId();
        String id = RegistrationIds.normalise(sentId);
        String device = "device '" + sentId + "'";
        String header = request.authorization().orElseThrow(() -> new AttestationException(
                AttestationException.AUTHENTICATION_REQUIRED,
                device + " sent no Authorization header; expected " + expectedCredential() + " for resource '"
                        + resourceFor(sentId) + "'", sentId));

        SasToken token;
        try {
            token = SasToken.parse(header);
        } catch (IllegalArgumentException e) {
            // The parser's message may quote part of the header, which could be some other secret: not repeated.
            throw new AttestationException(AttestationException.INVALID_TOKEN, "the Authorization header of " + device
                    + " is not a well-formed SAS token; expected 'SharedAccessSignature sr=" + resourceFor(sentId)
                    + "&sig=...&se=...'", sentId);
        }
        checkResource(token, sentId, device);
        Instant expiresAt = checkExpiry(token, sentId, device);
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("tokenExpiresAt", expiresAt.toString());
        Optional<String> tenant = checkSignature(token, sentId, id, device, claims);
        return new AttestedIdentity(id, tenant, AttestedIdentity.SYMMETRIC_KEY, claims);
    }

    private void checkResource(SasToken token, String sentId, String device) {
        if (token.isFor(resourceFor(sentId))) {
            return;
        }
        String resource = token.resource();
        int at = resource.toLowerCase(Locale.ROOT).lastIndexOf(REGISTRATIONS);
        if (at >= 0 && resource.substring(at + REGISTRATIONS.length()).equalsIgnoreCase(sentId)) {
            // Right device, wrong scope: most likely signed with a DPS ID scope instead of this service's scope.
            throw new AttestationException(AttestationException.INVALID_TOKEN, "the SAS token of " + device
                    + " is signed for scope " + Untrusted.quote(resource.substring(0, at)) + "; this service expects '"
                    + scope + "' (resource '" + resourceFor(sentId) + "')", sentId);
        }
        throw new AttestationException(AttestationException.WRONG_DEVICE, "the SAS token presented by " + device
                + " was issued for " + Untrusted.quote(resource) + ", not for '" + resourceFor(sentId) + "'", sentId);
    }

    private Instant checkExpiry(SasToken token, String sentId, String device) {
        Instant expiresAt;
        try {
            expiresAt = token.expiresAt();
        } catch (DateTimeException e) {
            throw new AttestationException(AttestationException.INVALID_TOKEN, "the SAS token of " + device
                    + " has an expiry ('se') outside any valid date", sentId);
        }
        Instant now = clock.instant();
        if (expiresAt.isBefore(now.minus(maxClockSkew))) {
            throw new AttestationException(AttestationException.TOKEN_EXPIRED, "the SAS token of " + device
                    + " expired at " + expiresAt + " (now " + now + "); sign a new one", sentId);
        }
        if (expiresAt.isAfter(now.plus(maxTokenLifetime).plus(maxClockSkew))) {
            throw new AttestationException(AttestationException.TOKEN_LIFETIME_TOO_LONG, "the SAS token of " + device
                    + " is valid until " + expiresAt + ", longer than the " + maxTokenLifetime
                    + " this service accepts; sign tokens that expire sooner", sentId);
        }
        return expiresAt;
    }

    /** Returns the tenant of the key that signed the token. */
    private Optional<String> checkSignature(SasToken token, String sentId, String id, String device,
            Map<String, String> claims) {
        Optional<String> individualKey = individualKeys.apply(id);
        if (individualKey == null) {
            throw new NullPointerException("the individual key resolver returned null for '" + id
                    + "'; it must return Optional.empty() for a device without an individual key");
        }
        if (individualKey.isPresent()) {
            if (token.isSignedWith(individualKey.get())) {
                claims.put("keySource", "individual");
                return Optional.empty();
            }
        } else {
            for (GroupKey group : groups) {
                Optional<String> which = group.signed(token, sentId);
                if (which.isPresent()) {
                    claims.put("keySource", "group");
                    claims.put("groupKey", which.get());
                    return group.tenant;
                }
            }
        }
        // One message for a forged token, a wrong key and an unknown device: it must not reveal which devices exist.
        throw new AttestationException(AttestationException.INVALID_SIGNATURE, "the SAS token of " + device
                + " is not signed with a key enrolled for it", sentId);
    }

    /** One enrollment group's keys. */
    private record GroupKey(Optional<String> tenant, String primary, Optional<String> secondary) {

        /** "primary" or "secondary" if the token is signed with a key derived from that group key. */
        Optional<String> signed(SasToken token, String sentId) {
            if (token.isSignedWith(SasToken.deriveDeviceKey(primary, sentId))) {
                return Optional.of("primary");
            }
            if (secondary.isPresent() && token.isSignedWith(SasToken.deriveDeviceKey(secondary.get(), sentId))) {
                return Optional.of("secondary");
            }
            return Optional.empty();
        }

        String describe() {
            return tenant.map(t -> "group key of tenant '" + t + "'").orElse("group key without tenant");
        }
    }

    /**
     * Builds a {@link SymmetricKeyAttestation}; at least one group key or an individual key resolver is required. Keys
     * are checked when set (valid base64, at least 16 bytes) and the errors never repeat them.
     *
     * <p>Defaults: scope {@value #DEFAULT_SCOPE}, clock skew 5 minutes, token lifetime at most 1 day (the Azure SDKs
     * sign for 1 hour), the system UTC clock.
     */
    public static final class Builder {
        private String scope = DEFAULT_SCOPE;
        private final List<GroupKey> groups = new ArrayList<>();
        private Function<String, Optional<String>> individualKeys;
        private Clock clock = Clock.systemUTC();
        private Duration maxClockSkew = Duration.ofMinutes(5);
        private Duration maxTokenLifetime = Duration.ofDays(1);

        private Builder() {
        }

        /** The name devices put before {@code /registrations/{id}} in the signed resource. */
        public Builder scope(String scope) {
            Objects.requireNonNull(scope, "scope");
            if (scope.isBlank() || scope.contains("/") || !scope.equals(scope.strip())) {
                throw new IllegalArgumentException("scope must be a non-blank name without '/' or surrounding spaces, "
                        + "was '" + scope + "'");
            }
            this.scope = scope;
            return this;
        }

        /** An enrollment group key without a tenant. */
        public Builder groupKey(String primaryKeyBase64) {
            return addGroup(Optional.empty(), primaryKeyBase64, Optional.empty());
        }

        /** An enrollment group key pair without a tenant; devices may sign with a key derived from either. */
        public Builder groupKey(String primaryKeyBase64, String secondaryKeyBase64) {
            return addGroup(Optional.empty(), primaryKeyBase64,
                    Optional.of(Objects.requireNonNull(secondaryKeyBase64, "secondaryKeyBase64")));
        }

        /**
         * A tenant's enrollment group key: devices whose key derives from it belong to {@code tenant}. (A separate
         * method rather than an overload of {@link #groupKey(String, String)}, so that a tenant name can never be
         * taken for a key.)
         */
        public Builder tenantGroupKey(String tenant, String primaryKeyBase64) {
            return addGroup(Optional.of(tenant(tenant)), primaryKeyBase64, Optional.empty());
        }

        /** A tenant's enrollment group key pair. */
        public Builder tenantGroupKey(String tenant, String primaryKeyBase64, String secondaryKeyBase64) {
            return addGroup(Optional.of(tenant(tenant)), primaryKeyBase64,
                    Optional.of(Objects.requireNonNull(secondaryKeyBase64, "secondaryKeyBase64")));
        }

        /**
         * Looks up a device's individual key (base64) by its normalised (lower-case) registration id; empty if the
         * device has none. Called on every verification, so it should be fast (a cache or an in-memory map); what it
         * throws propagates.
         */
        public Builder individualKeys(Function<String, Optional<String>> resolver) {
            this.individualKeys = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How far a device's clock may be off: tokens are accepted this long after they expire ({@code 0..1h}). */
        public Builder maxClockSkew(Duration maxClockSkew) {
            Objects.requireNonNull(maxClockSkew, "maxClockSkew");
            if (maxClockSkew.isNegative() || maxClockSkew.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("maxClockSkew must be between 0 and 1 hour, was " + maxClockSkew);
            }
            this.maxClockSkew = maxClockSkew;
            return this;
        }

        /** The longest a token may still be valid for when presented ({@code > 0}, at most 365 days). */
        public Builder maxTokenLifetime(Duration maxTokenLifetime) {
            Objects.requireNonNull(maxTokenLifetime, "maxTokenLifetime");
            if (maxTokenLifetime.isNegative() || maxTokenLifetime.isZero()
                    || maxTokenLifetime.compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException("maxTokenLifetime must be > 0 and at most 365 days, was "
                        + maxTokenLifetime);
            }
            this.maxTokenLifetime = maxTokenLifetime;
            return this;
        }

        /** @throws IllegalArgumentException if no key source is configured */
        public SymmetricKeyAttestation build() {
            if (groups.isEmpty() && individualKeys == null) {
                throw new IllegalArgumentException("SymmetricKeyAttestation needs at least one group key or an "
                        + "individual key resolver");
            }
            return new SymmetricKeyAttestation(this);
        }

        private Builder addGroup(Optional<String> tenant, String primary, Optional<String> secondary) {
            GroupKey group = new GroupKey(tenant, primary, secondary);
            String what = group.describe();
            SymmetricKeys.check(primary, "the primary " + what);
            secondary.ifPresent(key -> SymmetricKeys.check(key, "the secondary " + what));
            if (secondary.isPresent() && sameKey(primary, secondary.get())) {
                throw new IllegalArgumentException("the primary and secondary " + what + " are the same key");
            }
            for (GroupKey other : groups) {
                if (tenant.isPresent() && other.tenant.equals(tenant)) {
                    throw new IllegalArgumentException("tenant '" + tenant.get() + "' already has a group key");
                }
                // The same key in two groups would make the tenant of its devices ambiguous.
                for (String key : keys(group)) {
                    for (String otherKey : keys(other)) {
                        if (sameKey(key, otherKey)) {
                            throw new IllegalArgumentException("a key of the " + what + " is already configured for "
                                    + "the " + other.describe());
                        }
                    }
                }
            }
            groups.add(group);
            return this;
        }

        private static List<String> keys(GroupKey group) {
            List<String> keys = new ArrayList<>(2);
            keys.add(group.primary);
            group.secondary.ifPresent(keys::add);
            return keys;
        }

        private static boolean sameKey(String a, String b) {
            return MessageDigest.isEqual(Base64.getDecoder().decode(a), Base64.getDecoder().decode(b));
        }

        private static String tenant(String tenant) {
            Objects.requireNonNull(tenant, "tenant");
            if (tenant.isBlank()) {
                throw new IllegalArgumentException("tenant must not be blank");
            }
            return tenant;
        }
    }
}
