package io.multiscope.core.http;

import io.multiscope.core.claims.ClaimDeferredException;
import io.multiscope.core.claims.ClaimRateLimitedException;
import io.multiscope.core.claims.ClaimRefusedException;
import io.multiscope.core.claims.ClaimRequest;
import io.multiscope.core.claims.ClaimService;
import io.multiscope.core.claims.InstallerAuthenticationException;
import io.multiscope.core.claims.InstallerIdentity;
import io.multiscope.core.claims.ProvisioningBundle;
import io.multiscope.core.internal.http.Problem;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /v1/claims} (pattern 4): an installer, authenticated by {@code Authorization: Bearer <token>}, claims a
 * device with {@code {"registrationId": "...", "claimCode": "..."}} and gets its signed provisioning bundle.
 *
 * <pre>
 * 200 the bundle (application/json, Cache-Control: no-store)
 * 400 malformed-json, missing-field, unknown-field, invalid-registration-id, invalid-claim-code
 * 401 authentication-required, invalid-token, unsupported-token-algorithm, invalid-signature, token-expired,
 *     token-not-yet-valid, token-lifetime-too-long, missing-token-claim, wrong-token-issuer, wrong-token-audience
 *     (with WWW-Authenticate: Bearer)
 * 403 claim-code-mismatch          the installer's tenant owns the device; the code is not its code
 * 404 claim-not-found              no such device, or another tenant's: the same answer for both
 * 409 claim-code-used, no-claim-code
 * 410 claim-code-expired
 * 429 claim-rate-limited           the installer's attempts are over the limit (Retry-After)
 * 429 deferred                     no DPS budget now; the code is still unused (Retry-After)
 * </pre>
 * Provisioning failures (DPS, store) have the same problems as the other routes.
 */
final class ClaimRoutes {

    private static final String REALM = "Bearer realm=\"multiscope\"";

    private final ClaimService claims;
    private final ProvisioningApi api;

    ClaimRoutes(ClaimService claims, ProvisioningApi api) {
        this.claims = claims;
        this.api = api;
    }

    CompletableFuture<ApiResponse> handle(ApiRequest request, List<String> segments) {
        if (segments.size() != 2) {
            throw new Problem(404, "not-found", "Not found", "No resource at " + request.path());
        }
        if (!request.method().equals("POST")) {
            throw new Problem(405, "method-not-allowed", "Method not allowed",
                    request.method() + " is not allowed on " + request.path()).header("Allow", "POST");
        }
        InstallerIdentity installer;
        try {
            installer = claims.authenticate(bearerToken(request));
        } catch (InstallerAuthenticationException e) {
            throw unauthorized(e);
        }
        ClaimBody body = api.readBody(request, ClaimBody.class);
        if (body == null || body.registrationId() == null || body.claimCode() == null) {
            throw new Problem(400, "missing-field", "Missing field",
                    "The body must contain 'registrationId' and 'claimCode'");
        }
        try {
            return claims.claimAsync(installer, new ClaimRequest(body.registrationId(), body.claimCode()))
                    .handle((bundle, failure) -> {
                        if (failure != null) {
                            throw translate(failure);
                        }
                        return ok(bundle);
                    });
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private static ApiResponse ok(ProvisioningBundle bundle) {
        return new ApiResponse(200, Map.of("Content-Type", "application/json", "Cache-Control", "no-store"),
                bundle.toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** The token after {@code Bearer }, or null (refused by the service as authentication-required). */
    private static String bearerToken(ApiRequest request) {
        Optional<String> header = request.header("Authorization").map(String::strip);
        if (header.isEmpty() || header.get().isEmpty()) {
            return null;
        }
        String value = header.get();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Problem(401, InstallerAuthenticationException.AUTHENTICATION_REQUIRED, "Authentication failed",
                    "Claims are authenticated with an installer token: Authorization: Bearer <installer token>")
                    .header("WWW-Authenticate", REALM);
        }
        return value.substring(7).strip();
    }

    /** Claim refusals as problems; anything else is left to the API's general mapping. */
    private static RuntimeException translate(Throwable thrown) {
        Throwable t = thrown;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof InstallerAuthenticationException e) {
            return unauthorized(e);
        }
        if (t instanceof ClaimRefusedException e) {
            int status = switch (e.reason()) {
                case NOT_FOUND -> 404;
                case CODE_MISMATCH -> 403;
                case NO_CODE, CODE_USED -> 409;
                case CODE_EXPIRED -> 410;
            };
            return new Problem(status, e.problemType(), title(e.reason()), e.getMessage())
                    .with("registrationId", e.registrationId().orElse(null));
        }
        if (t instanceof ClaimRateLimitedException e) {
            long seconds = ProvisioningApi.retryAfterSeconds(e.retryAfter());
            return new Problem(429, "claim-rate-limited", "Too many claim attempts", e.getMessage())
                    .with("retryAfterSeconds", seconds).header("Retry-After", Long.toString(seconds));
        }
        if (t instanceof ClaimDeferredException e) {
            long seconds = ProvisioningApi.retryAfterSeconds(e.retryAfter());
            return new Problem(429, "deferred", "Come back later", e.getMessage())
                    .with("registrationId", e.registrationId().orElse(null)).with("retryAfterSeconds", seconds)
                    .header("Retry-After", Long.toString(seconds));
        }
        return t instanceof RuntimeException r ? r : new CompletionException(t);
    }

    private static Problem unauthorized(InstallerAuthenticationException e) {
        String challenge = e.problemType().equals(InstallerAuthenticationException.AUTHENTICATION_REQUIRED) ? REALM
                : REALM + ", error=\"invalid_token\"";
        return new Problem(401, e.problemType(), "Authentication failed", e.getMessage())
                .header("WWW-Authenticate", challenge);
    }

    private static String title(ClaimRefusedException.Reason reason) {
        return switch (reason) {
            case NOT_FOUND -> "No such device";
            case CODE_MISMATCH -> "Wrong claim code";
            case NO_CODE -> "No claim code";
            case CODE_USED -> "Claim code used";
            case CODE_EXPIRED -> "Claim code expired";
        };
    }

    /** The JSON body of a claim. */
    record ClaimBody(String registrationId, String claimCode) {
        @Override
        public String toString() {
            return "ClaimBody[registrationId=" + registrationId + ", claimCode=(hidden)]";
        }
    }
}
