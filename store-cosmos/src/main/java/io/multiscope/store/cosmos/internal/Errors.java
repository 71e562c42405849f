package io.multiscope.store.cosmos.internal;

import com.azure.cosmos.CosmosException;
import io.multiscope.store.cosmos.CosmosStoreException;
import java.time.Duration;

/** Turns SDK failures into the store's exceptions, deciding which are worth retrying. */
public final class Errors {

    private Errors() {
    }

    /**
     * Whether a request that failed with this status may succeed if repeated: 408 request timeout, 410 gone (a
     * partition moved), 429 request rate too large, 449 retry with (a concurrent write on the same document), 503
     * service unavailable.
     */
    public static boolean isTransient(int statusCode) {
        return statusCode == 408 || statusCode == 410 || statusCode == 429 || statusCode == 449
                || statusCode == 503;
    }

    static CosmosStoreException of(CosmosException e, String operation, String id, String partitionKey) {
        int status = e.getStatusCode();
        Duration retryAfter = e.getRetryAfterDuration();
        String message = "Cosmos DB " + operation + " failed with " + status
                + (e.getSubStatusCode() != 0 ? "/" + e.getSubStatusCode() : "") + " (" + describe(status) + ")"
                + (retryAfter != null && !retryAfter.isZero() ? ", retry after " + retryAfter.toMillis() + " ms" : "")
                + ": " + firstLine(e.getShortMessage());
        return new CosmosStoreException(message, id == null ? null : Names.registrationIdOf(id, partitionKey),
                id == null ? null : Names.instanceIdOf(id, partitionKey), status, e.getSubStatusCode(), retryAfter,
                isTransient(status), e);
    }

    static CosmosStoreException unexpected(RuntimeException e, String operation) {
        return new CosmosStoreException("Cosmos DB " + operation + " failed: " + e, null, null, 0, 0, null, false, e);
    }

    private static String describe(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 401 -> "unauthorized: check the account key";
            case 403 -> "forbidden";
            case 404 -> "not found: does the database and container exist?";
            case 408 -> "request timeout";
            case 410 -> "gone";
            case 413 -> "entity too large";
            case 429 -> "request rate too large";
            case 449 -> "retry with";
            case 500 -> "internal server error";
            case 503 -> "service unavailable";
            default -> "unexpected status";
        };
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int cut = message.indexOf('\n');
        String line = cut < 0 ? message : message.substring(0, cut);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
