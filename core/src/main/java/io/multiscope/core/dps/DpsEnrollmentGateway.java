package io.multiscope.core.dps;

import java.util.Set;

/**
 * The DPS service API operations the proxy needs on each instance: keep its enrollment group in place, remove a
 * device's traces, and read which devices registered through the group. {@link AzureSdkEnrollmentGateway} does it
 * through the Azure provisioning service client. Every method throws {@link DpsCallException} when DPS fails.
 */
public interface DpsEnrollmentGateway {

    /**
     * Creates the symmetric-key enrollment group {@code credentials} describe if the instance lacks it; leaves an
     * existing one untouched (its etag does not change), reporting whether its keys match the configured ones.
     */
    GroupSetup ensureGroup(DpsCredentials credentials);

    /** Deletes the device's registration state on the instance; false if it had none. */
    boolean deleteRegistrationState(DpsCredentials credentials, String registrationId);

    /** Deletes the device's individual enrollment on the instance; false if it had none. */
    boolean deleteIndividualEnrollment(DpsCredentials credentials, String registrationId);

    /** The registration ids (lower-cased) of every device registered through the proxy's group on the instance. */
    Set<String> registrationsInGroup(DpsCredentials credentials);
}
