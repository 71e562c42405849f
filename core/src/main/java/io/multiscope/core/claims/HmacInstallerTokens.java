package io.multiscope.core.claims;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.multiscope.core.internal.Untrusted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies installer tokens: compact JWTs (RFC 7519) signed with HMAC-SHA256 ({@code HS256}) under a key
 * the issuing application and Multiscope share. For an identity provider's tokens (OpenID Connect) see
 * {@link InstallerTokenVerifier}.
 *
 * <p>A token is accepted when all of these hold, checked in this order:
 * <ol>
 *   <li>it is three base64url parts without padding, at most {@value #MAX_TOKEN_LENGTH} characters;</li>
 *   <li>its header is a JSON object whose {@code alg} is exactly {@code HS256} ({@code none} and every other
 *       algorithm are refused before any key is touched), with no {@code crit} and a {@code typ}, if any, of
 *       {@code JWT};</li>
 *   <li>its signature verifies, compared in constant time, with the key its {@code kid} names (or the signing key
 *       when it names none); only then is the payload read;</li>
 *   <li>the payload is a JSON object without duplicate names; {@code exp} is present and not passed, {@code nbf} and
 *       {@code iat}, when present, are not in the future, each with {@link Builder#maxClockSkew} allowed on the
 *       injected clock; the token is not valid for longer than {@link Builder#maxTokenLifetime};</li>
 *   <li>{@code iss} and {@code aud} match when an issuer or audience is configured;</li>
 *   <li>{@code sub} (the installer id) and the tenant claim ({@value #DEFAULT_TENANT_CLAIM} unless configured) are
 *       non-empty strings, the tenant following the owner id rules.</li>
 * </ol>
 * Each refusal is an {@link InstallerAuthenticationException} naming the rule; messages never repeat the token.
 *
 * <p>Thread-safe and immutable.
 */
public final class HmacInstallerTokens implements InstallerTokenVerifier {

    /** The claim that names the installer's tenant unless configured otherwise. */
    public static final String DEFAULT_TENANT_CLAIM = "tenant";
    /** Longer tokens are refused unread. */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;
    /** The shortest key accepted: HS256 needs at least the hash's size (RFC 7518 §3.2). */
    public static final int MIN_KEY_BYTES = 32;

    private static final String ALG = "HS256";
    private static final String HMAC = "HmacSHA256";
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    // Duplicate names are refused: two parsers reading one token differently is a known JWT attack.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final SecretKeySpec signingKey;
    private final Optional<String> signingKeyId;
    private final Map<String, SecretKeySpec> keysById;
    private final Optional<String> issuer;
    private final Optional<String> audience;
    private final String tenantClaim;
    private final Clock clock;
    private final Duration maxClockSkew;
    private final Duration maxTokenLifetime;

    private HmacInstallerTokens(Builder b) {
        this.signingKey = b.signingKey;
        this.signingKeyId = Optional.ofNullable(b.signingKeyId);
        this.keysById = Map.copyOf(b.keysById);
        this.issuer = Optional.ofNullable(b.issuer);
        this.audience = Optional.ofNullable(b.audience);
        this.tenantClaim = b.tenantClaim;
        this.clock = b.clock;
        this.maxClockSkew = b.maxClockSkew;
        this.maxTokenLifetime = b.maxTokenLifetime;
    }

    /**
     * @param key the shared secret, at least {@value #MIN_KEY_BYTES} random bytes (copied)
     * @throws IllegalArgumentException if the key is shorter
     */
    public static Builder builder(byte[] key) {
        return new Builder(key);
    }

    /**
     * Issues a token for {@code installer}, valid from now (the injected clock, whole seconds) for {@code lifetime}.
     * It carries {@code sub}, the tenant claim, {@code iat}, {@code nbf}, {@code exp}, and {@code iss}/{@code aud}
     * when configured; its header names the signing key's id when one is set.
     *
     * @throws IllegalArgumentException if {@code lifetime} is not positive or exceeds the maximum token lifetime
     */
    public String issue(InstallerIdentity installer, Duration lifetime) {
        Objects.requireNonNull(installer, "installer");
        Objects.requireNonNull(lifetime, "lifetime");
        if (lifetime.isNegative() || lifetime.compareTo(Duration.ofSeconds(1)) < 0
                || lifetime.compareTo(maxTokenLifetime) > 0) {
            throw new IllegalArgumentException("a token lifetime must be 1 s to " + maxTokenLifetime + ", was "
                    + lifetime);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", ALG);
        header.put("typ", "JWT");
        signingKeyId.ifPresent(kid -> header.put("kid", kid));
        Map<String, Object> payload = new LinkedHashMap<>();
        issuer.ifPresent(iss -> payload.put("iss", iss));
        payload.put("sub", installer.installerId());
        audience.ifPresent(aud -> payload.put("aud", aud));
        payload.put(tenantClaim, installer.tenant());
        payload.put("iat", now.getEpochSecond());
        payload.put("nbf", now.getEpochSecond());
        payload.put("exp", now.plus(lifetime).getEpochSecond());
        String signingInput = ENCODER.encodeToString(json(header)) + "." + ENCODER.encodeToString(json(payload));
        return signingInput + "." + ENCODER.encodeToString(mac(signingKey, signingInput));
    }

    @Override
    public InstallerIdentity verify(String bearerToken) {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw refuse(InstallerAuthenticationException.AUTHENTICATION_REQUIRED, "no installer token was presented");
        }
        if (bearerToken.length() > MAX_TOKEN_LENGTH) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token has "
                    + bearerToken.length() + " characters; at most " + MAX_TOKEN_LENGTH + " are accepted");
        }
        String[] parts = bearerToken.split("\\.", -1);
        if (parts.length != 3) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token is not a compact JWT "
                    + "(three base64url parts separated by '.'); it has " + parts.length + " part(s)");
        }
        JsonNode header = object(decode(parts[0], "header"), "header");
        SecretKeySpec key = keyFor(checkHeader(header));
        if (parts[2].isEmpty()) {
            throw refuse(InstallerAuthenticationException.INVALID_SIGNATURE, "the installer token is not signed");
        }
        byte[] signature = decode(parts[2], "signature");
        byte[] expected = mac(key, parts[0] + "." + parts[1]);
        if (!MessageDigest.isEqual(expected, signature)) {
            throw refuse(InstallerAuthenticationException.INVALID_SIGNATURE, "the installer token's signature does "
                    + "not verify: it was signed with another key, or altered");
        }
        JsonNode payload = object(decode(parts[1], "payload"), "payload");
        checkTimes(payload);
        checkIssuerAndAudience(payload);
        String subject = requiredString(payload, "sub");
        String problem = InstallerIdentity.installerIdProblem(subject);
        if (problem != null) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's 'sub' is not "
                    + "acceptable: " + problem);
        }
        String tenant = requiredString(payload, tenantClaim);
        if (!InstallerIdentity.isValidTenant(tenant)) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's '" + tenantClaim
                    + "' claim is not a valid tenant id (1 to 128 of A-Z a-z 0-9 . _ : @ -)");
        }
        return new InstallerIdentity(subject, tenant);
    }

    /** Returns the key id the header names, if any. */
    private Optional<String> checkHeader(JsonNode header) {
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isTextual()) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's header has no 'alg'");
        }
        if (!ALG.equals(alg.asText())) {
            throw refuse(InstallerAuthenticationException.UNSUPPORTED_ALGORITHM, "the installer token is signed with "
                    + Untrusted.quote(alg.asText()) + "; only " + ALG + " is accepted");
        }
        if (header.has("crit")) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's header lists "
                    + "critical extensions ('crit'), which this verifier does not support");
        }
        JsonNode typ = header.get("typ");
        if (typ != null && !(typ.isTextual() && typ.asText().equalsIgnoreCase("JWT"))) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's 'typ' must be JWT");
        }
        JsonNode kid = header.get("kid");
        if (kid == null) {
            return Optional.empty();
        }
        if (!kid.isTextual()) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's 'kid' is not text");
        }
        return Optional.of(kid.asText());
    }

    private SecretKeySpec keyFor(Optional<String> kid) {
        if (kid.isEmpty()) {
            return signingKey;
        }
        SecretKeySpec key = keysById.get(kid.get());
        if (key != null) {
            return key;
        }
        if (keysById.isEmpty()) {
            return signingKey; // no key ids configured: the one key signs everything, whatever the token calls it
        }
        throw refuse(InstallerAuthenticationException.INVALID_SIGNATURE, "the installer token names key "
                + Untrusted.quote(kid.get()) + ", which is not configured");
    }

    private void checkTimes(JsonNode payload) {
        Instant now = clock.instant();
        JsonNode expNode = payload.get("exp");
        if (expNode == null) {
            throw refuse(InstallerAuthenticationException.MISSING_CLAIM, "the installer token has no expiry ('exp'); "
                    + "tokens without one are refused");
        }
        Instant exp = numericDate(expNode, "exp");
        if (!now.isBefore(exp.plus(maxClockSkew))) {
            throw refuse(InstallerAuthenticationException.TOKEN_EXPIRED, "the installer token expired at " + exp
                    + " (now " + now + "); get a new one");
        }
        if (exp.isAfter(now.plus(maxTokenLifetime).plus(maxClockSkew))) {
            throw refuse(InstallerAuthenticationException.TOKEN_LIFETIME_TOO_LONG, "the installer token is valid "
                    + "until " + exp + ", longer than the " + maxTokenLifetime + " accepted");
        }
        JsonNode nbf = payload.get("nbf");
        if (nbf != null) {
            Instant notBefore = numericDate(nbf, "nbf");
            if (now.plus(maxClockSkew).isBefore(notBefore)) {
                throw refuse(InstallerAuthenticationException.TOKEN_NOT_YET_VALID, "the installer token is not "
                        + "valid before " + notBefore + " (now " + now + ")");
            }
        }
        JsonNode iat = payload.get("iat");
        if (iat != null) {
            Instant issuedAt = numericDate(iat, "iat");
            if (now.plus(maxClockSkew).isBefore(issuedAt)) {
                throw refuse(InstallerAuthenticationException.TOKEN_NOT_YET_VALID, "the installer token was issued "
                        + "in the future (" + issuedAt + ", now " + now + "); check the issuer's clock");
            }
        }
    }

    private void checkIssuerAndAudience(JsonNode payload) {
        if (issuer.isPresent()) {
            JsonNode iss = payload.get("iss");
            if (iss == null || !iss.isTextual() || !iss.asText().equals(issuer.get())) {
                throw refuse(InstallerAuthenticationException.WRONG_ISSUER, "the installer token was not issued by '"
                        + issuer.get() + "'");
            }
        }
        if (audience.isPresent()) {
            JsonNode aud = payload.get("aud");
            boolean ok = false;
            if (aud != null && aud.isTextual()) {
                ok = aud.asText().equals(audience.get());
            } else if (aud != null && aud.isArray()) {
                for (JsonNode a : aud) {
                    ok |= a.isTextual() && a.asText().equals(audience.get());
                }
            }
            if (!ok) {
                throw refuse(InstallerAuthenticationException.WRONG_AUDIENCE, "the installer token is not meant for '"
                        + audience.get() + "' (its 'aud')");
            }
        }
    }

    private static Instant numericDate(JsonNode node, String name) {
        if (!node.isNumber()) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's '" + name
                    + "' is not a number of seconds since the epoch");
        }
        try {
            return Instant.ofEpochSecond((long) Math.floor(node.asDouble()));
        } catch (DateTimeException e) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's '" + name
                    + "' is outside any valid date");
        }
    }

    private static String requiredString(JsonNode payload, String name) {
        JsonNode node = payload.get(name);
        if (node == null || node.isNull() || (node.isTextual() && node.asText().isEmpty())) {
            throw refuse(InstallerAuthenticationException.MISSING_CLAIM, "the installer token has no '" + name
                    + "' claim");
        }
        if (!node.isTextual()) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's '" + name
                    + "' claim is not text");
        }
        return node.asText();
    }

    private static byte[] decode(String part, String what) {
        // The JWS compact form is unpadded base64url; anything else (padding, '+', '/', spaces) is refused.
        if (!BASE64URL.matcher(part).matches()) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's " + what
                    + " is not unpadded base64url");
        }
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's " + what
                    + " is not valid base64url");
        }
    }

    private static JsonNode object(byte[] bytes, String what) {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (IOException e) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's " + what
                    + " is not valid JSON (or repeats a name)");
        }
        if (node == null || !node.isObject()) {
            throw refuse(InstallerAuthenticationException.INVALID_TOKEN, "the installer token's " + what
                    + " is not a JSON object");
        }
        return node;
    }

    private static byte[] json(Map<String, Object> value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("token part not serialisable", e);
        }
    }

    private static byte[] mac(SecretKeySpec key, String signingInput) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static InstallerAuthenticationException refuse(String type, String message) {
        return new InstallerAuthenticationException(type, message);
    }

    /** Names the checks, never the keys. */
    @Override
    public String toString() {
        return "HmacInstallerTokens[alg=" + ALG + ", keys=" + Math.max(1, keysById.size())
                + issuer.map(i -> ", issuer=" + i).orElse("") + audience.map(a -> ", audience=" + a).orElse("")
                + ", tenantClaim=" + tenantClaim + ", maxClockSkew=" + maxClockSkew + "]";
    }

    /**
     * Configures {@link HmacInstallerTokens}. Defaults: no issuer or audience check, tenant claim
     * {@value #DEFAULT_TENANT_CLAIM}, clock skew 60 s, token lifetime at most 24 hours, the system UTC clock.
     */
    public static final class Builder {
        private final SecretKeySpec signingKey;
        private String signingKeyId;
        private final Map<String, SecretKeySpec> keysById = new LinkedHashMap<>();
        private String issuer;
        private String audience;
        private String tenantClaim = DEFAULT_TENANT_CLAIM;
        private Clock clock = Clock.systemUTC();
        private Duration maxClockSkew = Duration.ofSeconds(60);
        private Duration maxTokenLifetime = Duration.ofHours(24);

        private Builder(byte[] key) {
            this.signingKey = key(key, "the signing key");
        }

        /**
         * Names the signing key ({@code kid} in issued tokens), so that it can later be rotated: configure the new
         * key as the signing key and keep this one with {@link #verificationKey} until its tokens have expired.
         */
        public Builder keyId(String keyId) {
            String id = checkKeyId(keyId);
            if (keysById.containsKey(id)) {
                throw new IllegalArgumentException("key id '" + id + "' is configured twice");
            }
            this.signingKeyId = id;
            keysById.put(id, signingKey);
            return this;
        }

        /** An older key, named by {@code keyId}, whose tokens are still accepted; never used to sign. */
        public Builder verificationKey(String keyId, byte[] key) {
            String id = checkKeyId(keyId);
            if (keysById.containsKey(id)) {
                throw new IllegalArgumentException("key id '" + id + "' is configured twice");
            }
            keysById.put(id, key(key, "verification key '" + id + "'"));
            return this;
        }

        /** Issued tokens carry {@code iss}; verified ones must carry exactly this value. */
        public Builder issuer(String issuer) {
            this.issuer = nonBlank(issuer, "issuer");
            return this;
        }

        /** Issued tokens carry {@code aud}; verified ones must name this audience (as a string or in an array). */
        public Builder audience(String audience) {
            this.audience = nonBlank(audience, "audience");
            return this;
        }

        /** The claim that names the installer's tenant; {@value #DEFAULT_TENANT_CLAIM} by default. */
        public Builder tenantClaim(String claim) {
            String c = nonBlank(claim, "tenantClaim");
            if (c.equals("sub") || c.equals("exp") || c.equals("nbf") || c.equals("iat") || c.equals("iss")
                    || c.equals("aud")) {
                throw new IllegalArgumentException("the tenant claim cannot be the registered claim '" + c + "'");
            }
            this.tenantClaim = c;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How far issuer and verifier clocks may differ, applied to {@code exp}, {@code nbf} and {@code iat}. */
        public Builder maxClockSkew(Duration skew) {
            Objects.requireNonNull(skew, "skew");
            if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("maxClockSkew must be 0 to 5 minutes, was " + skew);
            }
            this.maxClockSkew = skew;
            return this;
        }

        /** The longest a token may be valid for, at issue and when presented (1 minute to 365 days). */
        public Builder maxTokenLifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "lifetime");
            if (lifetime.compareTo(Duration.ofMinutes(1)) < 0 || lifetime.compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException("maxTokenLifetime must be 1 minute to 365 days, was " + lifetime);
            }
            this.maxTokenLifetime = lifetime;
            return this;
        }

        public HmacInstallerTokens build() {
            return new HmacInstallerTokens(this);
        }

        private static SecretKeySpec key(byte[] key, String what) {
            Objects.requireNonNull(key, what);
            if (key.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException(what + " is " + key.length + " bytes long; HS256 keys must be at "
                        + "least " + MIN_KEY_BYTES + " bytes");
            }
            return new SecretKeySpec(key.clone(), HMAC);
        }

        private static String checkKeyId(String keyId) {
            Objects.requireNonNull(keyId, "keyId");
            if (!KEY_ID.matcher(keyId).matches()) {
                throw new IllegalArgumentException("a key id must be 1 to 64 of A-Z a-z 0-9 . _ : -, was '" + keyId
                        + "'");
            }
            return keyId;
        }

        private static String nonBlank(String value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank");
            }
            return value;
        }
    }
}
