package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A registration operation as the device API shows it.
 *
 * @param state the terminal registration state, or {@code null} while assigning
 */
record OperationView(String operationId, RegistrationRecord state) {

    boolean isAssigning() {
        return state == null;
    }

    /** {@code {operationId, status, registrationState}}: the SDK needs the first two always and the state when done. */
    ObjectNode render() {
        ObjectNode out = DpsJson.object();
        out.put("operationId", operationId);
        if (state == null) {
            out.put("status", "assigning");
        } else {
            out.put("status", state.status());
            out.set("registrationState", state.renderForDevice());
        }
        return out;
    }
}
