package io.multiscope.testkit.internal.dps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one handler on the listener: sends device paths and service paths to their API and renders errors. */
final class EmulatorHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(EmulatorHandler.class);

    private final DeviceApi deviceApi;
    private final ServiceApi serviceApi;
    private final Clock clock;

    EmulatorHandler(DeviceApi deviceApi, ServiceApi serviceApi, Clock clock) {
        this.deviceApi = deviceApi;
        this.serviceApi = serviceApi;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange http) throws IOException {
        DpsExchange exchange = new DpsExchange(http);
        exchange.consumeBody();
        try {
            if (exchange.segments().isEmpty()) {
                throw DpsError.of(404, DpsError.RESOURCE_NOT_FOUND, "This is a DPS emulator: device API paths are "
                        + "/{idScope}/registrations/..., service API paths /enrollments, /enrollmentGroups and "
                        + "/registrations.");
            }
            if (ServiceApi.isServicePath(exchange.segments())) {
                serviceApi.handle(exchange);
            } else {
                deviceApi.handle(exchange);
            }
        } catch (DpsError e) {
            respondError(exchange, e);
        } catch (RuntimeException e) {
            LOG.error("DPS emulator failed on {} {}", http.getRequestMethod(), http.getRequestURI(), e);
            respondError(exchange, DpsError.of(500, 500001, "The emulator failed: " + e));
        } finally {
            http.close();
        }
    }

    private void respondError(DpsExchange exchange, DpsError e) throws IOException {
        if (exchange.hasResponded()) {
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        e.retryAfterSeconds().ifPresent(s -> headers.put("Retry-After", Integer.toString(s)));
        exchange.respond(e.status(), DpsJson.errorBody(e.errorCode(), e.getMessage(), clock.instant()), headers);
    }
}
