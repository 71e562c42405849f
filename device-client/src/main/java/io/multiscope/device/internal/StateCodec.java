package io.multiscope.device.internal;

import io.multiscope.device.ProvisioningResult;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state file format, version {@value #VERSION}: one JSON object, readable by a person debugging a device.
 *
 * <pre>{@code
 * {"format":"multiscope-device-state","version":1,"configuration":"api https://... dev-1",
 *  "result":{"registrationId":"dev-1","assignedHub":"hub-1.azure-devices.net","deviceId":"dev-1",
 *            "globalEndpoint":"global.azure-devices-provisioning.net","idScope":"0ne0001A1B2",
 *            "payload":"{\"a\":1}","provisionedAt":"2026-01-01T00:00:00Z","source":"REGISTERED",
 *            "redirectedFrom":["global.azure-devices-provisioning.net/0ne000FAC70"]},
 *  "circuit":{"consecutiveFailures":0,"openUntil":null,"timesOpened":0},
 *  "bundle":{"globalEndpoint":"global.azure-devices-provisioning.net","idScope":"0ne0001A1B2",
 *            "issuedAt":"2026-01-01T00:00:00Z","signature":"..."}}
 * }</pre>
 *
 * A later version adds fields or bumps {@code version}; this code refuses versions it does not know rather than
 * guess, and the device then provisions again (through the status lookup where configured). {@code redirectedFrom}
 * and {@code bundle} were added within version 1: both are optional, so older files still read, and a library that
 * predates them ignores them (the device then reprovisions at its configured endpoint).
 */
final class StateCodec {

    static final String FORMAT = "multiscope-device-state";
    static final int VERSION = 1;

    private StateCodec() {
    }

    static byte[] encode(DeviceState state) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", FORMAT);
        out.put("version", VERSION);
        out.put("configuration", state.configuration);
        out.put("result", state.result == null ? null : result(state.result));
        Map<String, Object> circuit = new LinkedHashMap<>();
        circuit.put("consecutiveFailures", state.circuit.consecutiveFailures);
        circuit.put("openUntil", state.circuit.openUntil == null ? null : state.circuit.openUntil.toString());
        circuit.put("timesOpened", state.circuit.timesOpened);
        out.put("circuit", circuit);
        if (state.bundle != null) {
            Map<String, Object> bundle = new LinkedHashMap<>();
            bundle.put("globalEndpoint", state.bundle.target.globalEndpoint);
            bundle.put("idScope", state.bundle.target.idScope);
            bundle.put("issuedAt", state.bundle.issuedAt.toString());
            bundle.put("signature", state.bundle.signature);
            out.put("bundle", bundle);
        }
        return (Json.write(out) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException saying what is wrong with the bytes */
    static DeviceState decode(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the state is not UTF-8 text");
        }
        Map<String, Object> json = Json.parseObject(text.trim());
        if (!FORMAT.equals(json.get("format"))) {
            throw new IllegalArgumentException("the state is not a " + FORMAT + " document");
        }
        Object version = json.get("version");
        if (!(version instanceof BigDecimal) || ((BigDecimal) version).compareTo(BigDecimal.valueOf(VERSION)) != 0) {
            throw new IllegalArgumentException("the state has format version " + version + "; this library reads "
                    + "version " + VERSION);
        }
        String configuration = required(json, "configuration");
        Map<String, Object> result = Json.object(json, "result");
        Map<String, Object> circuit = Json.object(json, "circuit");
        if (circuit == null) {
            throw new IllegalArgumentException("the state lacks 'circuit'");
        }
        Map<String, Object> bundle = Json.object(json, "bundle");
        return new DeviceState(configuration, result == null ? null : result(result), circuit(circuit),
                bundle == null ? null : bundle(bundle));
    }

    private static BundleRecord bundle(Map<String, Object> json) {
        String endpoint = required(json, "globalEndpoint");
        String idScope = required(json, "idScope");
        if (!Validation.isEndpoint(endpoint) || !Validation.isIdScope(idScope)) {
            throw new IllegalArgumentException("the stored bundle names an invalid DPS endpoint or ID scope");
        }
        return new BundleRecord(new DpsTarget(endpoint, idScope), instant(required(json, "issuedAt")),
                required(json, "signature"));
    }

    private static Map<String, Object> result(ProvisioningResult r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("registrationId", r.registrationId());
        out.put("assignedHub", r.assignedHub());
        out.put("deviceId", r.deviceId());
        out.put("globalEndpoint", r.globalEndpoint());
        out.put("idScope", r.idScope());
        out.put("payload", r.payload().orElse(null));
        out.put("provisionedAt", r.provisionedAt().map(Instant::toString).orElse(null));
        out.put("source", r.source().map(Enum::name).orElse(null));
        if (!r.redirectedFrom().isEmpty()) {
            out.put("redirectedFrom", new ArrayList<>(r.redirectedFrom()));
        }
        return out;
    }

    private static ProvisioningResult result(Map<String, Object> json) {
        ProvisioningResult.Source source;
        try {
            source = ProvisioningResult.Source.valueOf(required(json, "source"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the stored result has an unknown source");
        }
        List<String> redirectedFrom = redirectedFrom(json.get("redirectedFrom"));
        try {
            return ProvisioningResult.provisioned(required(json, "registrationId"), required(json, "assignedHub"),
                    required(json, "deviceId"), required(json, "globalEndpoint"), required(json, "idScope"),
                    Json.string(json, "payload"), instant(required(json, "provisionedAt")), source)
                    .withRedirectedFrom(redirectedFrom);
        } catch (NullPointerException e) {
            throw new IllegalArgumentException("the stored result is incomplete");
        }
    }

    private static List<String> redirectedFrom(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List)) {
            throw new IllegalArgumentException("the stored 'redirectedFrom' is not a list");
        }
        List<String> out = new ArrayList<>();
        for (Object hop : (List<?>) value) {
            if (!(hop instanceof String) || ((String) hop).isBlank()) {
                throw new IllegalArgumentException("the stored 'redirectedFrom' holds something other than "
                        + "endpoint/ID scope names");
            }
            out.add((String) hop);
        }
        return out;
    }

    private static CircuitState circuit(Map<String, Object> json) {
        long failures = Json.number(json, "consecutiveFailures", -1);
        long opened = Json.number(json, "timesOpened", -1);
        if (failures < 0 || failures > Integer.MAX_VALUE || opened < 0 || opened > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the stored circuit state has bad counters");
        }
        String until = Json.string(json, "openUntil");
        return new CircuitState((int) failures, until == null ? null : instant(until), (int) opened);
    }

    private static String required(Map<String, Object> json, String key) {
        String value = Json.string(json, key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the state lacks '" + key + "'");
        }
        return value;
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a timestamp");
        }
    }
}
