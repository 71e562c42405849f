package io.multiscope.device;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Keeps every event, for assertions. Thread-safe. */
final class RecordingListener implements ProvisioningListener {

    private final List<ProvisioningEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(ProvisioningEvent event) {
        events.add(event);
    }

    synchronized List<ProvisioningEvent> all() {
        return new ArrayList<>(events);
    }

    synchronized List<ProvisioningEvent> of(ProvisioningEvent.Type type) {
        return events.stream().filter(e -> e.type() == type).collect(Collectors.toList());
    }

    synchronized List<ProvisioningEvent.Type> types() {
        return events.stream().map(ProvisioningEvent::type).collect(Collectors.toList());
    }

    synchronized void clear() {
        events.clear();
    }
}
