/**
 * Pattern 4, low-touch provisioning: installers claim devices with the code printed on them and receive signed
 * provisioning bundles to hand to the devices.
 *
 * <ul>
 *   <li>{@link io.multiscope.core.claims.ClaimService} runs a claim: installer token, rate limit, tenant isolation,
 *       code, placement (direct or through the DPS proxy), signed bundle, code used once.</li>
 *   <li>{@link io.multiscope.core.claims.InstallerTokenVerifier} authenticates installers;
 *       {@link io.multiscope.core.claims.HmacInstallerTokens} issues and verifies HS256 JWTs.</li>
 *   <li>{@link io.multiscope.core.claims.ClaimCodeGenerator}, {@link io.multiscope.core.claims.ClaimCodes},
 *       {@link io.multiscope.core.claims.ClaimCodeHasher} and {@link io.multiscope.core.claims.ClaimCodeIssuer}
 *       make, read, hash and issue codes.</li>
 *   <li>{@link io.multiscope.core.claims.ProvisioningBundle} is the result;
 *       {@link io.multiscope.core.claims.BundleSigners} sign it for symmetric-key and X.509 devices.</li>
 * </ul>
 */
package io.multiscope.core.claims;
