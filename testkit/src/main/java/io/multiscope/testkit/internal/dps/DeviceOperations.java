package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.RegistrationIds;
import java.util.OptionalInt;

/**
 * The device API's three operations independent of transport, so HTTPS and MQTT give the same answers. Each either
 * returns an answer or throws {@link DpsError}.
 */
public final class DeviceOperations {

    /**
     * An answer: a status (200, 202), a JSON body, and the {@code Retry-After} seconds for {@code assigning} answers.
     */
    public record Answer(int status, JsonNode body, OptionalInt retryAfterSeconds) {

        public boolean isAssigning() {
            return status == 202;
        }
    }

    private final RegistrationEngine engine;
    private final int retryAfterSeconds;

    DeviceOperations(RegistrationEngine engine, int retryAfterSeconds) {
        this.engine = engine;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Register: {@code body} is the DeviceRegistration JSON the device sent. */
    public Answer register(InstanceRuntime instance, String registrationId, DeviceCredentials credentials,
            byte[] body) {
        checkRegistrationId(registrationId);
        instance.quotas().registration();
        ObjectNode request = DpsJson.parseObject(body);
        checkBodyRegistrationId(request, registrationId);
        if (request.hasNonNull("tpm") && credentials.sasToken().isEmpty()) {
            throw DpsError.unauthorized("TPM attestation is not supported by this emulator.");
        }
        AttestedDevice device = DeviceAuthenticator.authenticate(instance, registrationId, credentials);
        JsonNode payload = DpsJson.normalisePayload(request.get("payload"));
        return answer(engine.register(instance, device, payload));
    }

    /** Operation status. */
    public Answer poll(InstanceRuntime instance, String registrationId, String operationId,
            DeviceCredentials credentials) {
        checkRegistrationId(registrationId);
        instance.quotas().poll(VersionedStore.key(registrationId));
        DeviceAuthenticator.authenticate(instance, registrationId, credentials);
        return answer(engine.poll(instance, registrationId, operationId));
    }

    /** The registration status lookup; {@code body} may be empty. */
    public Answer lookup(InstanceRuntime instance, String registrationId, DeviceCredentials credentials,
            byte[] body) {
        checkRegistrationId(registrationId);
        if (body.length > 0) {
            checkBodyRegistrationId(DpsJson.parseObject(body), registrationId);
        }
        DeviceAuthenticator.authenticate(instance, registrationId, credentials);
        RegistrationRecord record = engine.lookup(instance, registrationId).orElseThrow(() -> DpsError.notFound(
                "The device '" + registrationId + "' has no registration in this DPS instance."));
        return new Answer(200, record.renderForDevice(), OptionalInt.empty());
    }

    /**
     * Checks a device's credentials when a transport authenticates once per connection (MQTT).
     *
     * @throws DpsError 401 (or 400 for an invalid registration id)
     */
    public void authenticate(InstanceRuntime instance, String registrationId, DeviceCredentials credentials) {
        checkRegistrationId(registrationId);
        DeviceAuthenticator.authenticate(instance, registrationId, credentials);
    }

    private Answer answer(OperationView view) {
        return view.isAssigning() ? new Answer(202, view.render(), OptionalInt.of(retryAfterSeconds))
                : new Answer(200, view.render(), OptionalInt.empty());
    }

    private static void checkRegistrationId(String registrationId) {
        String problem = RegistrationIds.problem(registrationId);
        if (problem != null) {
            throw DpsError.badRequest("Invalid registration id '" + registrationId + "': " + problem + ".");
        }
    }

    private static void checkBodyRegistrationId(ObjectNode body, String registrationId) {
        JsonNode id = body.get("registrationId");
        if (id != null && !id.isNull() && !(id.isTextual() && id.textValue().equalsIgnoreCase(registrationId))) {
            throw DpsError.badRequest("The registrationId " + id + " in the body differs from '" + registrationId
                    + "' in the path.");
        }
    }
}
