package io.multiscope.device.internal;

import io.multiscope.device.ProvisioningEvent;
import io.multiscope.device.ProvisioningListener;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells the listener, and the log, what happens. A listener that throws is logged and otherwise ignored. */
final class Events {

    private static final Logger LOG = LoggerFactory.getLogger("io.multiscope.device.DeviceProvisioner");

    private final ProvisioningListener listener;
    private final Clock clock;
    private final String registrationId;

    Events(ProvisioningListener listener, Clock clock, String registrationId) {
        this.listener = listener;
        this.clock = clock;
        this.registrationId = registrationId;
    }

    ProvisioningEvent.Builder of(ProvisioningEvent.Type type) {
        return ProvisioningEvent.builder(type, registrationId, clock.instant());
    }

    void emit(ProvisioningEvent.Builder builder) {
        ProvisioningEvent event = builder.build();
        log(event);
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("Provisioning listener failed on {}: {}", event.type(), e.toString(), e);
        }
    }

    private static void log(ProvisioningEvent event) {
        switch (event.type()) {
            case STATE_UNREADABLE:
            case STATE_NOT_SAVED:
            case GAVE_UP:
            case CIRCUIT_OPENED:
            case BUNDLE_REJECTED:
                LOG.warn("{}", event);
                break;
            case PROVISIONED:
            case REDIRECTED:
            case BUNDLE_APPLIED:
            case STATE_IGNORED:
            case CIRCUIT_CLOSED:
            case CIRCUIT_HALF_OPEN:
                LOG.info("{}", event);
                break;
            default:
                LOG.debug("{}", event);
        }
    }
}
