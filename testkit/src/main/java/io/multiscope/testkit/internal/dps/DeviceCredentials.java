package io.multiscope.testkit.internal.dps;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What a device presented, whatever the transport: a SAS token (HTTP {@code Authorization} header, MQTT password)
 * and the certificate chain from the TLS handshake, leaf first (empty if none).
 */
public record DeviceCredentials(Optional<String> sasToken, List<X509Certificate> clientChain) {

    public DeviceCredentials {
        sasToken = sasToken.filter(t -> !t.isEmpty());
        clientChain = List.copyOf(clientChain);
    }
}
