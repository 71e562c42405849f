package io.multiscope.device;

import java.io.IOException;
import java.util.Optional;

/**
 * Where {@link DeviceProvisioner} keeps what must survive a reboot: the provisioning result and the circuit
 * breaker's state. The provisioner owns the (small, versioned) format; a store keeps the bytes. Implement it to keep
 * them somewhere else than a file: NVRAM, a secure element, an application's own settings store.
 *
 * <p>Contract: {@link #write} replaces the bytes atomically, so after a crash or power loss {@link #read} returns
 * either the old or the new bytes, never a mix; a failure leaves the old bytes in place. A store need not be
 * thread-safe: one provisioner calls it from one thread at a time.
 */
public interface ProvisioningStateStore {

    /**
     * The bytes last written.
     *
     * @return empty if nothing was ever written (or it was cleared)
     * @throws IOException if state exists but cannot be read; the provisioner reports it and treats the device as
     *     not provisioned
     */
    Optional<byte[]> read() throws IOException;

    /** Replaces the stored bytes atomically. */
    void write(byte[] state) throws IOException;

    /** Forgets the stored bytes; doing so when there are none is not an error. */
    void clear() throws IOException;
}
