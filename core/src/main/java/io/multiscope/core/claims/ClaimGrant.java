package io.multiscope.core.claims;

import java.time.Instant;

/**
 * Proof, inside the process, that an authenticated installer presented the right, open claim code for a device: the
 * authentication on which the provisioning services place a claimed device without a device credential
 * ({@link io.multiscope.core.ZeroTouchProvisioning#assignClaimed},
 * {@link io.multiscope.core.ProxyProvisioningService#registerClaimed}). Only {@link ClaimService} creates grants,
 * after checking the installer's token, tenant and code; nothing else can, so those entry points give the devices'
 * own paths no new way in.
 */
public final class ClaimGrant {

    private final String registrationId;
    private final String owner;
    private final String installerId;
    private final Instant grantedAt;

    ClaimGrant(String registrationId, String owner, String installerId, Instant grantedAt) {
        this.registrationId = registrationId;
        this.owner = owner;
        this.installerId = installerId;
        this.grantedAt = grantedAt;
    }

    /** The claimed device, normalised. */
    public String registrationId() {
        return registrationId;
    }

    /** The device's owner, which is the installer's tenant: the tenant the device is placed for. */
    public String owner() {
        return owner;
    }

    /** The installer who claimed it. */
    public String installerId() {
        return installerId;
    }

    public Instant grantedAt() {
        return grantedAt;
    }

    @Override
    public String toString() {
        return "ClaimGrant[" + registrationId + ", owner=" + owner + ", installer=" + installerId + ", at="
                + grantedAt + "]";
    }
}
