package io.multiscope.device.internal;

import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceHubException;
import com.microsoft.azure.sdk.iot.provisioning.security.exceptions.SecurityProviderException;
import io.multiscope.device.FailureKind;
import io.multiscope.device.ProvisioningEvent.Step;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;

/**
 * Turns what went wrong into an {@link AttemptFailure} with the right {@link FailureKind}: 429 throttled; 5xx,
 * transport errors and timeouts transient; 401/403/404 re-register; other 4xx permanent.
 *
 * <p>The Azure device SDK (2.1.3) hides HTTP answers in exception messages: an HTTP error reaches the caller as
 * {@code ProvisioningDeviceClientException("Failed to register", ExecutionException(ProvisioningDeviceHubException(
 * "429 : 429 : {json}")))}; a registration that ends {@code failed} or {@code disabled} as a
 * {@code ProvisioningDeviceHubException} with a DPS error code ({@code status × 1000 + n}); an MQTT error as
 * {@code "Service error: 429001 - ..."}. The SDK never reads a {@code Retry-After} from an error answer, so none is
 * available for those.
 */
public final class Failures {

    /** "429 : 429 : {body}": the HTTP transport's error format. */
    private static final Pattern SDK_HTTP_ERROR = Pattern.compile("^\\s*(\\d{3}) : \\d{3} : (.*)$", Pattern.DOTALL);
    /** "Service error: 429001 - ...": the MQTT and AMQP transports' error format. */
    private static final Pattern SDK_SERVICE_ERROR = Pattern.compile("Service error: (\\d{6})");
    private static final int MAX_DETAIL = 300;

    private Failures() {
    }

    /** The kind an HTTP status calls for. */
    public static FailureKind kindOf(int status) {
        if (status == 429) {
            return FailureKind.THROTTLED;
        }
        if (status >= 500) {
            return FailureKind.TRANSIENT;
        }
        if (status == 401 || status == 403 || status == 404) {
            return FailureKind.REREGISTER;
        }
        return FailureKind.PERMANENT;
    }

    /** A failed HTTP answer from the provisioning API or DPS. */
    public static AttemptFailure http(Step step, int status, Optional<String> retryAfter, String body, Instant now) {
        String what = status >= 300 && status < 400 ? "an unexpected redirect" : "HTTP " + status;
        return new AttemptFailure(kindOf(status), step, status,
                retryAfter.flatMap(v -> parseRetryAfter(v, now)).orElse(null),
                describe(step) + " answered " + what + summary(body), null);
    }

    /** A transport failure of one of this module's own HTTPS calls. */
    public static AttemptFailure io(Step step, IOException e) {
        if (isUntrustedCertificate(e)) {
            return new AttemptFailure(FailureKind.PERMANENT, step, 0, null, describe(step)
                    + " presented a TLS certificate this device does not trust (" + rootMessage(e)
                    + "); configure the CA with trustedCas", e);
        }
        return new AttemptFailure(FailureKind.TRANSIENT, step, 0, null, describe(step) + " could not be reached: "
                + rootMessage(e), e);
    }

    /** A bad setting found only when used, e.g. an MQTT endpoint with a port. */
    public static AttemptFailure permanent(Step step, String message) {
        return new AttemptFailure(FailureKind.PERMANENT, step, 0, null, message, null);
    }

    /** An answer that does not make sense (missing fields, not JSON): possibly a proxy or a glitch. */
    public static AttemptFailure badAnswer(Step step, String message) {
        return new AttemptFailure(FailureKind.TRANSIENT, step, 0, null, describe(step) + " gave an answer this "
                + "device cannot use: " + message, null);
    }

    /** What the Azure SDK threw from a registration. */
    public static AttemptFailure sdk(Step step, Throwable thrown) {
        for (Throwable t : chain(thrown)) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof ProvisioningDeviceHubException) {
                Matcher http = SDK_HTTP_ERROR.matcher(message);
                if (http.matches()) {
                    return http(step, Integer.parseInt(http.group(1)), Optional.empty(), http.group(2), Instant.EPOCH);
                }
                int code = ((ProvisioningDeviceHubException) t).getErrorCode();
                if (code >= 100_000 && code <= 599_999) {
                    int status = code / 1000;
                    return new AttemptFailure(kindOf(status), step, status, null, describe(step)
                            + " ended the registration with error " + code + summary(message), thrown);
                }
            }
            Matcher service = SDK_SERVICE_ERROR.matcher(message);
            if (service.find()) {
                int status = Integer.parseInt(service.group(1)) / 1000;
                if (status >= 100 && status <= 599) {
                    return new AttemptFailure(kindOf(status), step, status, null, describe(step) + " answered "
                            + status + summary(message), thrown);
                }
            }
        }
        for (Throwable t : chain(thrown)) {
            if (t instanceof IOException) {
                return io(step, (IOException) t);
            }
            if (t instanceof SecurityProviderException || t instanceof GeneralSecurityException) {
                return new AttemptFailure(FailureKind.PERMANENT, step, 0, null, "the device's credentials could not "
                        + "be used for the DPS registration: " + rootMessage(thrown), thrown);
            }
            if (t instanceof TimeoutException) {
                return timeout(step, thrown);
            }
        }
        String message = thrown.getMessage() == null ? "" : thrown.getMessage();
        if (message.startsWith("Timed out")) {
            return timeout(step, thrown);
        }
        // Unparseable answers, a worker thread that died, ...: nothing says retrying is futile.
        return new AttemptFailure(FailureKind.TRANSIENT, step, 0, null, describe(step) + " failed: "
                + rootMessage(thrown), thrown);
    }

    /**
     * A {@code Retry-After} value: whole seconds or an HTTP date.
     *
     * @return empty if it is neither, or lies in the past
     */
    public static Optional<Duration> parseRetryAfter(String value, Instant now) {
        String v = value.trim();
        if (v.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, at);
            return wait.isNegative() ? Optional.empty() : Optional.of(wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static AttemptFailure timeout(Step step, Throwable thrown) {
        return new AttemptFailure(FailureKind.TRANSIENT, step, 0, null, describe(step) + " timed out", thrown);
    }

    private static boolean isUntrustedCertificate(IOException e) {
        if (!(e instanceof SSLHandshakeException)) {
            return false;
        }
        for (Throwable t : chain(e)) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException
                    || t instanceof CertPathBuilderException) {
                return true;
            }
        }
        return false;
    }

    /** The cause chain, each throwable once (a cyclic chain must not loop). */
    private static Iterable<Throwable> chain(Throwable start) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> out = new ArrayList<>();
        for (Throwable t = start; t != null && seen.add(t); t = t.getCause()) {
            out.add(t);
        }
        return out;
    }

    private static String rootMessage(Throwable thrown) {
        Throwable root = thrown;
        for (Throwable t : chain(thrown)) {
            root = t;
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + abbreviate(message));
    }

    /** ": <detail>" from a problem document or DPS error body, or the start of the body. */
    private static String summary(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            Map<String, Object> json = Json.parseObject(body);
            for (String key : new String[] {"detail", "message", "errorMessage", "title"}) {
                Object value = json.get(key);
                if (value instanceof String && !((String) value).isBlank()) {
                    return ": " + abbreviate((String) value);
                }
            }
        } catch (IllegalArgumentException notJson) {
            // fall through to the raw text
        }
        return ": " + abbreviate(body);
    }

    private static String abbreviate(String s) {
        String oneLine = s.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_DETAIL ? oneLine : oneLine.substring(0, MAX_DETAIL) + "...";
    }

    private static String describe(Step step) {
        switch (step) {
            case API_LOOKUP:
                return "the provisioning API (assignment lookup)";
            case API_REQUEST:
                return "the provisioning API (assignment request)";
            case API_REPROVISION:
                return "the provisioning API (reprovision request)";
            case DPS_STATUS_LOOKUP:
                return "DPS (registration status lookup)";
            default:
                return "DPS (registration)";
        }
    }
}
