package io.multiscope.device.internal;

import io.multiscope.device.FailureKind;
import io.multiscope.device.ProvisioningEvent.Step;
import io.multiscope.device.ProvisioningResult;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a pattern-3 redirect from the payload of an assigned result and decides whether the device follows it:
 * {@code {"redirect": {"version": 1, "globalEndpoint": "...", "idScope": "..."}}}. Other payload members are not
 * this class's business. A redirect that is invalid, leads back to an instance already visited, or would be one hop
 * too many is refused: the factory and the owners' instances are configured by people, and a device that kept
 * following a broken chain would register (and be billed) without end.
 */
final class Redirects {

    static final int VERSION = 1;

    private final int maxRedirects;

    Redirects(int maxRedirects) {
        this.maxRedirects = maxRedirects;
    }

    /**
     * Where {@code result} sends the device next.
     *
     * @param chain the instances visited so far in this chain, the one that gave {@code result} last
     * @return empty when the payload carries no redirect (the device is where it belongs)
     * @throws AttemptFailure of kind {@link FailureKind#REDIRECT_REFUSED} when the redirect must not be followed
     */
    Optional<DpsTarget> next(ProvisioningResult result, List<DpsTarget> chain) throws AttemptFailure {
        Optional<Map<String, Object>> withRedirect = payloadWithRedirect(result);
        if (withRedirect.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> json = withRedirect.get();
        DpsTarget from = chain.get(chain.size() - 1);
        Step step = result.source().orElse(null) == ProvisioningResult.Source.STATUS_LOOKUP ? Step.DPS_STATUS_LOOKUP
                : Step.DPS_REGISTER;
        Object redirect = json.get("redirect");
        if (!(redirect instanceof Map)) {
            throw refused(step, from, "its redirect is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) redirect;
        Object version = r.get("version");
        if (!(version instanceof BigDecimal) || ((BigDecimal) version).compareTo(BigDecimal.valueOf(VERSION)) != 0) {
            throw refused(step, from, "its redirect has version " + (version instanceof String ? "\"" + version
                    + "\"" : version) + "; this device follows version " + VERSION);
        }
        String endpoint = text(r, "globalEndpoint");
        String idScope = text(r, "idScope");
        if (endpoint == null || idScope == null) {
            throw refused(step, from, "its redirect lacks " + (endpoint == null ? "'globalEndpoint'" : "'idScope'")
                    + " (or it is blank or not a string)");
        }
        if (!Validation.isEndpoint(endpoint)) {
            throw refused(step, from, "its redirect's globalEndpoint '" + endpoint + "' is not a host name "
                    + "(optionally :port)");
        }
        if (!Validation.isIdScope(idScope)) {
            throw refused(step, from, "its redirect's idScope '" + idScope + "' is not letters, digits and '-'");
        }
        DpsTarget to = new DpsTarget(endpoint, idScope);
        for (DpsTarget visited : chain) {
            if (visited.key().equals(to.key())) {
                throw refused(step, from, "it redirects to " + to + ", which this chain visited before ("
                        + describe(chain) + "): a redirect loop");
            }
        }
        int hop = chain.size();
        if (hop > maxRedirects) {
            throw refused(step, from, maxRedirects == 0 ? "it redirects to " + to + ", and following redirects is "
                    + "off (maxRedirects 0)" : "it redirects to " + to + ", which would be hop " + hop
                    + "; this device follows at most " + maxRedirects + " (" + describe(chain) + ")");
        }
        return Optional.of(to);
    }

    /** Whether {@code result}'s payload carries a redirect, valid or not. */
    static boolean carriesRedirect(ProvisioningResult result) {
        return payloadWithRedirect(result).isPresent();
    }

    private static Optional<Map<String, Object>> payloadWithRedirect(ProvisioningResult result) {
        Optional<String> payload = result.payload();
        if (payload.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> json;
        try {
            json = Json.parseObject(payload.get());
        } catch (IllegalArgumentException notAnObject) {
            // Not the shape a redirect travels in: an application's own payload.
            return Optional.empty();
        }
        return json.containsKey("redirect") ? Optional.of(json) : Optional.empty();
    }

    /** The chain as {@code a/1 -> b/2}. */
    static String describe(List<DpsTarget> chain) {
        List<String> names = new ArrayList<>();
        chain.forEach(t -> names.add(t.toString()));
        return String.join(" -> ", names);
    }

    private static String text(Map<String, Object> r, String key) {
        Object value = r.get(key);
        return value instanceof String && !((String) value).isBlank() ? (String) value : null;
    }

    private static AttemptFailure refused(Step step, DpsTarget from, String why) {
        return new AttemptFailure(FailureKind.REDIRECT_REFUSED, step, 0, null, "DPS " + from + " assigned the "
                + "device, but " + why, null);
    }
}
