package io.multiscope.testkit;

/** How a DPS instance picks an IoT hub for a device, as named on the DPS wire. */
public enum AllocationPolicy {
    /** Evenly weighted distribution: a stable, weighted hash of the registration id over the candidate hubs. */
    HASHED("hashed"),
    /**
     * Lowest latency. The emulator has no network geography, so it allocates exactly as {@link #HASHED}; DPS itself
     * also falls back to hashing between hubs of equal latency.
     */
    GEO_LATENCY("geoLatency"),
    /** The single hub named on the enrollment. */
    STATIC("static"),
    /** Whatever the enrollment's webhook answers. */
    CUSTOM("custom");

    private final String wireName;

    AllocationPolicy(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in DPS JSON, e.g. {@code geoLatency}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The policy named {@code wireName}, ignoring case.
     *
     * @throws IllegalArgumentException listing the accepted names
     */
    public static AllocationPolicy fromWireName(String wireName) {
        for (AllocationPolicy p : values()) {
            if (p.wireName.equalsIgnoreCase(wireName)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown allocation policy '" + wireName
                + "'; expected one of hashed, geoLatency, static, custom");
    }
}
