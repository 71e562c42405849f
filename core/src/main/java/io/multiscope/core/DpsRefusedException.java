package io.multiscope.core;

/**
 * DPS refused the registration for a reason retrying will not fix (a key DPS does not accept, a disabled enrollment,
 * a failed custom allocation). The message names the device, the instance and what DPS said; the proxy's
 * configuration, or the enrollment on DPS, needs attention.
 */
public class DpsRefusedException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public DpsRefusedException(String message, String registrationId, String instanceId, int status,
            Throwable cause) {
        super(message, registrationId, instanceId, cause);
        this.status = status;
    }

    /** The HTTP status DPS answered (0 if none, e.g. TLS trust failed). */
    public int status() {
        return status;
    }
}
