package io.multiscope.store.jdbc.internal;

import io.multiscope.spi.InstanceState;

/** The part of an instance's row an assignment needs: whether it takes devices, and what a device record copies. */
record InstanceHead(String idScope, String globalEndpoint, InstanceState state) {

    boolean active() {
        return state == InstanceState.ACTIVE;
    }
}
