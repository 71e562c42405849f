package io.multiscope.store.cosmos;

import com.azure.cosmos.ConsistencyLevel;
import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosAsyncDatabase;
import com.azure.cosmos.CosmosClientBuilder;
import com.azure.cosmos.models.ThroughputProperties;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The Cosmos DB back-ends tests run against, each with one client per test JVM (building a client takes about 2 s):
 * <ul>
 *   <li>{@link #LOCAL}: the Cosmos-compatible test server started by {@code .ci/start-cosmos.sh}, at
 *       {@code MULTISCOPE_COSMOS_ENDPOINT} (default {@code https://127.0.0.1:8081}); gateway mode, certificate
 *       validation off (the SDK allows that only for loopback endpoints).</li>
 *   <li>{@link #SERVICE}: a real Cosmos DB account or the official emulator at {@code COSMOS_ENDPOINT} with
 *       {@code COSMOS_KEY} (direct mode unless {@code COSMOS_CONNECTION_MODE=gateway}).</li>
 * </ul>
 * A missing back-end skips the test with a message, or fails it when {@code MULTISCOPE_REQUIRE_SERVICES=true}
 * (only the local server is required: a real account cannot be).
 */
enum CosmosBackend {

    LOCAL, SERVICE;

    private static final String DATABASE = "multiscope-test";
    private static final AtomicInteger CONTAINERS = new AtomicInteger();

    private volatile CosmosAsyncClient client;
    private volatile CosmosAsyncDatabase database;

    /** The client, built on first use; skips (or fails) the calling test if the back-end is absent. */
    synchronized CosmosAsyncClient client() {
        if (client == null) {
            client = this == LOCAL ? localClient() : serviceClient();
            Runtime.getRuntime().addShutdownHook(new Thread(client::close));
        }
        return client;
    }

    synchronized CosmosAsyncDatabase database() {
        if (database == null) {
            CosmosAsyncClient c = client();
            // Shared database throughput keeps many short-lived test containers cheap on a real account.
            c.createDatabaseIfNotExists(DATABASE, ThroughputProperties.createManualThroughput(400)).block();
            database = c.getDatabase(DATABASE);
        }
        return database;
    }

    /** A new, empty container with the store's recommended settings. */
    CosmosAsyncContainer newContainer(String purpose) {
        String name = purpose + "-" + CONTAINERS.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return CosmosContainers.createIfNotExists(database(), name, null);
    }

    static void deleteQuietly(CosmosAsyncContainer container) {
        if (container == null) {
            return;
        }
        try {
            container.delete().block();
        } catch (RuntimeException e) {
            System.err.println("could not delete test container " + container.getId() + ": " + e.getMessage());
        }
    }

    static String localEndpoint() {
        String endpoint = System.getenv("MULTISCOPE_COSMOS_ENDPOINT");
        return endpoint == null || endpoint.isBlank() ? "https://127.0.0.1:8081" : endpoint;
    }

    private static CosmosAsyncClient localClient() {
        String endpoint = localEndpoint();
        URI uri = URI.create(endpoint);
        if (!answers(uri)) {
            absent("No Cosmos DB test server answers at " + endpoint + ": start one with .ci/start-cosmos.sh (or set "
                    + "MULTISCOPE_COSMOS_ENDPOINT)", true);
        }
        // The test server's certificate is self-signed; the SDK skips validation for loopback endpoints only.
        System.setProperty("COSMOS.EMULATOR_SERVER_CERTIFICATE_VALIDATION_DISABLED", "true");
        return new CosmosClientBuilder().endpoint(endpoint)
                .key(Base64.getEncoder().encodeToString("multiscope-test-server-accepts-any-key".getBytes()))
                .gatewayMode() // the test server speaks only the gateway (REST) protocol
                .consistencyLevel(ConsistencyLevel.SESSION)
                .contentResponseOnWriteEnabled(false)
                .buildAsyncClient();
    }

    private static CosmosAsyncClient serviceClient() {
        String endpoint = System.getenv("COSMOS_ENDPOINT");
        String key = System.getenv("COSMOS_KEY");
        if (endpoint == null || endpoint.isBlank() || key == null || key.isBlank()) {
            absent("COSMOS_ENDPOINT and COSMOS_KEY are not set: the tests against a real Cosmos DB account (or the "
                    + "official emulator) are skipped", false);
        }
        CosmosClientBuilder builder = new CosmosClientBuilder().endpoint(endpoint).key(key)
                .consistencyLevel(ConsistencyLevel.SESSION).contentResponseOnWriteEnabled(false);
        if ("gateway".equalsIgnoreCase(System.getenv("COSMOS_CONNECTION_MODE"))) {
            builder.gatewayMode();
        } else {
            builder.directMode();
        }
        return builder.buildAsyncClient();
    }

    private static boolean answers(URI uri) {
        int port = uri.getPort() > 0 ? uri.getPort() : 443;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void absent(String message, boolean requirable) {
        if (requirable && Boolean.parseBoolean(System.getenv("MULTISCOPE_REQUIRE_SERVICES"))) {
            Assertions.fail(message + " (MULTISCOPE_REQUIRE_SERVICES=true)");
        }
        Assumptions.abort(message);
    }
}
