package io.multiscope.core.claims;

/**
 * Turns an installer's bearer token into who the installer is. {@link HmacInstallerTokens} is the ready
 * implementation (HS256 JWTs signed with a shared key); an identity provider's tokens plug in with a few lines.
 *
 * <p><b>OpenID Connect.</b> Wrap any JWKS-based JWT library and map its claims to an {@link InstallerIdentity}. With
 * Nimbus JOSE+JWT, for example:
 *
 * <pre>{@code
 * var jwt = new DefaultJWTProcessor<SecurityContext>();
 * jwt.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256,
 *         JWKSourceBuilder.create(new URL("https://login.example.com/.well-known/jwks.json")).build()));
 * jwt.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>("multiscope-claims",
 *         new JWTClaimsSet.Builder().issuer("https://login.example.com/").build(), Set.of("sub", "tenant", "exp")));
 * InstallerTokenVerifier oidc = token -> {
 *     try {
 *         JWTClaimsSet claims = jwt.process(token, null);
 *         return new InstallerIdentity(claims.getSubject(), claims.getStringClaim("tenant"));
 *     } catch (ParseException | BadJOSEException | JOSEException e) {
 *         throw new InstallerAuthenticationException(InstallerAuthenticationException.INVALID_TOKEN,
 *                 "the installer token was refused: " + e.getMessage(), e);
 *     }
 * };
 * }</pre>
 *
 * The library then owns signature algorithms, key rotation (the JWKS is fetched and cached) and the time checks; the
 * verifier only decides which claim names the installer ({@code sub}) and which the tenant (a custom claim, a group,
 * or a lookup from the subject in the application's own user directory).
 *
 * <p>Implementations are thread-safe and fast (called once per claim attempt, before the rate limit).
 */
@FunctionalInterface
public interface InstallerTokenVerifier {

    /**
     * Verifies a bearer token.
     *
     * @param bearerToken the token as sent after {@code Authorization: Bearer }, never null or blank
     * @return the installer, never null
     * @throws InstallerAuthenticationException if the token is not acceptable; the HTTP API answers 401 with the
     *     exception's problem type. Anything else thrown (an identity provider that cannot be reached) propagates
     *     and is reported as a server error, not as a refusal.
     */
    InstallerIdentity verify(String bearerToken);
}
