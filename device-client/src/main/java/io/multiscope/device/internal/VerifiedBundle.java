package io.multiscope.device.internal;

import java.time.Instant;

/** A provisioning bundle whose every check passed. Immutable. */
final class VerifiedBundle {

    final DpsTarget target;
    /** The hub the service already registered the device to (proxy variant), or null. */
    final String assignedHub;
    /** Set iff {@link #assignedHub} is. */
    final String deviceId;
    final Instant issuedAt;
    final Instant expiresAt;
    final String signature;

    VerifiedBundle(DpsTarget target, String assignedHub, String deviceId, Instant issuedAt, Instant expiresAt,
            String signature) {
        this.target = target;
        this.assignedHub = assignedHub;
        this.deviceId = deviceId;
        this.issuedAt = issuedAt;
        this.expiresAt = expiresAt;
        this.signature = signature;
    }

    boolean isAssigned() {
        return assignedHub != null;
    }

    BundleRecord record() {
        return new BundleRecord(target, issuedAt, signature);
    }
}
