package io.multiscope.core.claims;

import io.multiscope.core.MultiscopeException;
import java.util.Objects;

/**
 * A claim was refused; nothing changed. {@link #reason()} says why, {@link #problemType()} in the stable form the
 * HTTP API publishes.
 *
 * <p>Tenant isolation: a device that does not exist and a device of another tenant give the same reason,
 * {@link Reason#NOT_FOUND}, and the same message, so an installer learns nothing about other tenants' devices. The
 * other reasons are only ever given for devices of the installer's own tenant.
 */
public class ClaimRefusedException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    /** Why a claim was refused. */
    public enum Reason {
        /** No device with this id that the installer's tenant owns (it does not exist, or another tenant owns it). */
        NOT_FOUND("claim-not-found"),
        /** The installer's tenant owns the device, but the code is not its code. */
        CODE_MISMATCH("claim-code-mismatch"),
        /** The installer's tenant owns the device, but no claim code was issued for it. */
        NO_CODE("no-claim-code"),
        /** The code is right but was used already. */
        CODE_USED("claim-code-used"),
        /** The code is right but expired. */
        CODE_EXPIRED("claim-code-expired");

        private final String problemType;

        Reason(String problemType) {
            this.problemType = problemType;
        }

        public String problemType() {
            return problemType;
        }
    }

    private final Reason reason;

    public ClaimRefusedException(Reason reason, String message, String registrationId) {
        super(message, registrationId, null, null);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    public String problemType() {
        return reason.problemType();
    }
}
