package io.multiscope.device.internal;

/** What the provisioning API told the device: which DPS instance to register with. */
final class Assignment {

    /** The API's state name for "register again at the next opportunity" (a server-side reprovision flag). */
    static final String REPROVISION_PENDING = "REPROVISION_PENDING";

    final String instanceId;
    final String idScope;
    final String globalEndpoint;
    final String state;

    Assignment(String instanceId, String idScope, String globalEndpoint, String state) {
        this.instanceId = instanceId;
        this.idScope = idScope;
        this.globalEndpoint = globalEndpoint;
        this.state = state;
    }

    boolean reprovisionPending() {
        return REPROVISION_PENDING.equals(state);
    }

    @Override
    public String toString() {
        return "Assignment[" + instanceId + ", " + globalEndpoint + "/" + idScope + ", " + state + "]";
    }
}
