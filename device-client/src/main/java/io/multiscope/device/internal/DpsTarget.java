package io.multiscope.device.internal;

import java.util.Locale;
import java.util.Objects;

/** A DPS instance a device registers with: its device endpoint and ID scope. Immutable. */
final class DpsTarget {

    final String globalEndpoint;
    final String idScope;

    DpsTarget(String globalEndpoint, String idScope) {
        this.globalEndpoint = Objects.requireNonNull(globalEndpoint, "globalEndpoint");
        this.idScope = Objects.requireNonNull(idScope, "idScope");
    }

    /** Host names and ID scopes are case-insensitive: the same instance however a server spells it. */
    String key() {
        return globalEndpoint.toLowerCase(Locale.ROOT) + "/" + idScope.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return globalEndpoint + "/" + idScope;
    }
}
