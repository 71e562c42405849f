package io.multiscope.testkit.internal.dps;

import io.multiscope.core.attestation.SasToken;
import io.multiscope.testkit.InstanceSettings;

/**
 * Checks the service API's SAS token: {@code sr} is the instance's host name, {@code skn} its policy name, signed
 * with the policy key, not expired.
 */
final class ServiceAuthenticator {

    private ServiceAuthenticator() {
    }

    /** @throws DpsError 401 saying what did not check out */
    static void authenticate(InstanceRuntime instance, DpsExchange exchange) {
        InstanceSettings settings = instance.settings();
        String header = exchange.header("Authorization").orElseThrow(() -> DpsError.unauthorized(
                "The request has no Authorization header; the service API needs a SAS token of a shared access "
                        + "policy."));
        SasToken token;
        try {
            token = SasToken.parse(header);
        } catch (IllegalArgumentException e) {
            throw DpsError.unauthorized("The SAS token is malformed: " + e.getMessage() + ".");
        }
        if (!token.isFor(settings.serviceHostName())) {
            throw DpsError.unauthorized("The SAS token is for '" + token.resource() + "', not '"
                    + settings.serviceHostName() + "'.");
        }
        String keyName = token.keyName().orElse("");
        if (!keyName.equals(settings.policyName())) {
            throw DpsError.unauthorized("The SAS token names the policy '" + keyName + "', which this DPS instance "
                    + "does not have.");
        }
        if (!token.expiresAt().isAfter(instance.clock().instant())) {
            throw DpsError.unauthorized("The SAS token expired at " + token.expiresAt() + ".");
        }
        if (!token.isSignedWith(settings.policyKey())) {
            throw DpsError.unauthorized("The SAS token is not signed with the key of the policy '" + keyName + "'.");
        }
    }
}
