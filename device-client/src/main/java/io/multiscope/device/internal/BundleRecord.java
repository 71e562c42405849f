package io.multiscope.device.internal;

import java.time.Instant;
import java.util.Objects;

/**
 * The provisioning bundle in force on a device, as far as the boot flow needs it once verified: the DPS instance to
 * register with (first provisioning and reprovisioning alike), and what identifies the bundle so an older one can be
 * refused and the same one applied twice changes nothing. Immutable.
 */
final class BundleRecord {

    final DpsTarget target;
    final Instant issuedAt;
    /** The bundle's signature (base64 text): identifies this very bundle. */
    final String signature;

    BundleRecord(DpsTarget target, Instant issuedAt, String signature) {
        this.target = Objects.requireNonNull(target, "target");
        this.issuedAt = Objects.requireNonNull(issuedAt, "issuedAt");
        this.signature = Objects.requireNonNull(signature, "signature");
    }
}
