package io.multiscope.testkit;

import java.util.Objects;

/**
 * An IoT hub linked to an emulated DPS instance.
 *
 * @param hostName e.g. {@code hub-eu-1.azure-devices.net}
 * @param weight allocation weight, 1 to 1000 as in DPS
 * @param applyAllocationPolicy whether hashed allocation may pick this hub (DPS's switch to take a full hub out)
 */
public record LinkedHub(String hostName, int weight, boolean applyAllocationPolicy) {

    public LinkedHub {
        Objects.requireNonNull(hostName, "hostName");
        if (!hostName.matches("[A-Za-z0-9][A-Za-z0-9.-]*")) {
            throw new IllegalArgumentException("linked hub host name '" + hostName + "' is not a host name");
        }
        if (weight < 1 || weight > 1000) {
            throw new IllegalArgumentException("linked hub " + hostName + " has weight " + weight
                    + "; DPS allows 1 to 1000");
        }
    }

    /** A hub with weight 1 that takes part in allocation. */
    public static LinkedHub of(String hostName) {
        return new LinkedHub(hostName, 1, true);
    }
}
