package io.multiscope.store.cosmos;

import com.azure.cosmos.CosmosAsyncContainer;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.testkit.InventoryStoreCompatibilityKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;

/**
 * The compatibility kit against the local Cosmos-compatible test server ({@code .ci/start-cosmos.sh}); each test
 * gets a new container. Writes what the operations cost to {@code target/cosmos-request-charges.txt}.
 */
class CosmosInventoryStoreTest extends InventoryStoreCompatibilityKit {

    /** Per back-end and operation: [calls, requests, request units]. */
    private static final Map<String, double[]> CHARGES = new ConcurrentHashMap<>();

    private CosmosAsyncContainer container;

    @Override
    protected InventoryStore createStore(VirtualClock clock) {
        container = backend().newContainer("kit");
        return CosmosInventoryStore.builder().container(container).writerId("kit-writer").clock(clock)
                .requestChargeListener((operation, requests, units) -> {
                    double[] sum = CHARGES.computeIfAbsent(backend() + " " + operation, k -> new double[3]);
                    synchronized (sum) {
                        sum[0]++;
                        sum[1] += requests;
                        sum[2] += units;
                    }
                }).build();
    }

    @Override
    protected void closeStore(InventoryStore store) {
        try {
            store.close();
        } finally {
            CosmosBackend.deleteQuietly(container);
        }
    }

    /**
     * The test server answers about 1,000 requests/s on two shared cores and a new assignment takes three requests
     * from the kit's four threads, so the kit's 100,000-device fleet would take several minutes; 4,000 devices take
     * about 30 s and still exercise paging with full 5,000-item pages requested. Override with
     * {@code -Dmultiscope.cosmos.largeFleet=N}.
     */
    @Override
    protected int largeFleetSize() {
        return Integer.getInteger("multiscope.cosmos.largeFleet", 4_000);
    }

    CosmosBackend backend() {
        return CosmosBackend.LOCAL;
    }

    @AfterAll
    static void writeCharges() throws IOException {
        StringBuilder out = new StringBuilder(
                "# backend operation: calls, requests per call, request units per call (kit workload)\n");
        new TreeMap<>(CHARGES).forEach((key, sum) -> out.append(String.format(Locale.ROOT, "%s: %.0f, %.2f, %.2f%n",
                key, sum[0], sum[1] / sum[0], sum[2] / sum[0])));
        if (!CHARGES.isEmpty()) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "cosmos-request-charges.txt"), out);
        }
    }
}
