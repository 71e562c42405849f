package io.multiscope.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multiscope.core.attestation.SasToken;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Plain HTTPS requests to the emulator, for what the SDKs cannot show: status codes, headers, error bodies, and input
 * the SDKs would never send.
 */
final class RawDps {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String API = "?api-version=2019-03-31";

    /** A response, with its body parsed when it is JSON. */
    record Response(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final DpsEmulator dps;
    private final HttpClient client;

    /** Talks to the device API directly, and to the service API through {@link ServiceClientRouting} if installed. */
    RawDps(DpsEmulator dps) {
        this.dps = dps;
        this.client = HttpClient.newBuilder()
                .sslContext(dps.clientSslContext())
                .proxy(ProxySelector.getDefault())
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static String deviceSas(String idScope, String registrationId, String deviceKey) {
        return SasToken.forDevice(SasToken.deviceResource(idScope, registrationId), deviceKey,
                Instant.now().plusSeconds(3600));
    }

    static String serviceSas(EmulatedDpsInstance instance) {
        String sr = URLEncoder.encode(instance.serviceHostName(), StandardCharsets.UTF_8);
        long se = Instant.now().plusSeconds(3600).getEpochSecond();
        String sig = SasToken.sign(Base64.getDecoder().decode(instance.settings().policyKey()), sr + "\n" + se);
        return "SharedAccessSignature sr=" + sr + "&sig=" + URLEncoder.encode(sig, StandardCharsets.UTF_8) + "&se="
                + se + "&skn=" + instance.settings().policyName();
    }

    /** A device API request: {@code path} starts with the ID scope. */
    Response device(String method, String pathAndQuery, String authorization, String body) {
        return send(method, "https://" + dps.deviceEndpoint() + "/" + pathAndQuery, authorization, body);
    }

    /** A service API request to {@code instance}, addressed by its host name (needs routing). */
    Response service(EmulatedDpsInstance instance, String method, String pathAndQuery, String body) {
        return send(method, "https://" + instance.serviceHostName() + "/" + pathAndQuery, serviceSas(instance), body);
    }

    Response send(String method, String url, String authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json; charset=utf-8")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response);
        } catch (Exception e) {
            throw new AssertionError(method + " " + url + " failed", e);
        }
    }
}
