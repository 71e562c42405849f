package io.multiscope.core.dps;

import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.Query;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.Attestation;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.DeviceRegistrationState;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.EnrollmentGroup;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.QueryResult;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.QuerySpecification;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.SymmetricKeyAttestation;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientBadFormatException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientBadUsageException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientInternalServerErrorException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientNotFoundException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientPreconditionFailedException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientTooManyRequestsException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientTransientException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientUnathorizedException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enrollment lifecycle through the real Azure provisioning service client ({@code provisioning-service-client}),
 * one client per instance, made from {@link DpsCredentials#serviceConnectionString()}.
 *
 * <p>That client connects only to {@code https://<HostName>:443} with the JVM's default TLS settings (it has no option
 * for either), which is what a real DPS needs. Against an emulator, tests route the host name JVM-wide (a proxy
 * selector and a CONNECT relay) and trust the test CA JVM-wide.
 *
 * <p>Thread-safe. Keys are sent to DPS when a group is created and compared in constant time when one is found; they
 * are never logged.
 */
public final class AzureSdkEnrollmentGateway implements DpsEnrollmentGateway {

    private static final Logger LOG = LoggerFactory.getLogger(AzureSdkEnrollmentGateway.class);
    private static final int PAGE_SIZE = 1000;

    private final ConcurrentMap<String, ProvisioningServiceClient> clients = new ConcurrentHashMap<>();

    public static AzureSdkEnrollmentGateway create() {
        return new AzureSdkEnrollmentGateway();
    }

    private AzureSdkEnrollmentGateway() {
    }

    @Override
    public GroupSetup ensureGroup(DpsCredentials credentials) {
        ProvisioningServiceClient client = client(credentials);
        String groupId = credentials.enrollmentGroupId();
        String instance = credentials.instanceId();
        try {
            EnrollmentGroup existing = client.getEnrollmentGroup(groupId);
            Attestation attestation = client.getEnrollmentGroupAttestationMechanism(groupId).getAttestation();
            boolean same = attestation instanceof SymmetricKeyAttestation keys
                    && credentials.hasKeys(keys.getPrimaryKey(), keys.getSecondaryKey());
            GroupSetup.Outcome outcome = same ? GroupSetup.Outcome.PRESENT : GroupSetup.Outcome.KEY_MISMATCH;
            if (!same) {
                LOG.warn("Enrollment group '{}' on DPS instance '{}' exists with other keys than configured; left "
                        + "unchanged. Registrations through the proxy will fail there until the keys agree.", groupId,
                        instance);
            }
            return new GroupSetup(instance, groupId, outcome, Optional.ofNullable(existing.getEtag()));
        } catch (ProvisioningServiceClientNotFoundException missing) {
            return create(client, credentials);
        } catch (ProvisioningServiceClientException e) {
            throw translate(e, "reading enrollment group '" + groupId + "'", null, instance);
        }
    }

    private GroupSetup create(ProvisioningServiceClient client, DpsCredentials credentials) {
        String groupId = credentials.enrollmentGroupId();
        // No etag on purpose: the group was just found missing. The SDK has no create-only call for groups, so a
        // concurrent creator between the read and this write would be overwritten with the same configuration.
        EnrollmentGroup group = new EnrollmentGroup(groupId, new SymmetricKeyAttestation(credentials.primaryKey(),
                credentials.secondaryKey().orElse(null)));
        try {
            EnrollmentGroup created = client.createOrUpdateEnrollmentGroup(group);
            LOG.info("Created enrollment group '{}' on DPS instance '{}'", groupId, credentials.instanceId());
            return new GroupSetup(credentials.instanceId(), groupId, GroupSetup.Outcome.CREATED,
                    Optional.ofNullable(created.getEtag()));
        } catch (ProvisioningServiceClientException e) {
            throw translate(e, "creating enrollment group '" + groupId + "'", null, credentials.instanceId());
        }
    }

    @Override
    public boolean deleteRegistrationState(DpsCredentials credentials, String registrationId) {
        try {
            client(credentials).deleteDeviceRegistrationState(registrationId);
            return true;
        } catch (ProvisioningServiceClientNotFoundException e) {
            return false;
        } catch (ProvisioningServiceClientException e) {
            throw translate(e, "deleting the registration state of '" + registrationId + "'", registrationId,
                    credentials.instanceId());
        }
    }

    @Override
    public boolean deleteIndividualEnrollment(DpsCredentials credentials, String registrationId) {
        try {
            client(credentials).deleteIndividualEnrollment(registrationId);
            return true;
        } catch (ProvisioningServiceClientNotFoundException e) {
            return false;
        } catch (ProvisioningServiceClientException e) {
            throw translate(e, "deleting the individual enrollment of '" + registrationId + "'", registrationId,
                    credentials.instanceId());
        }
    }

    @Override
    public Set<String> registrationsInGroup(DpsCredentials credentials) {
        String groupId = credentials.enrollmentGroupId();
        Query query = client(credentials).createEnrollmentGroupRegistrationStateQuery(
                new QuerySpecification("SELECT * FROM enrollmentGroups"), groupId, PAGE_SIZE);
        Set<String> ids = new TreeSet<>();
        try {
            while (query.hasNext()) {
                QueryResult page = query.next();
                for (Object item : page.getItems()) {
                    if (item instanceof DeviceRegistrationState state && state.getRegistrationId() != null) {
                        ids.add(state.getRegistrationId().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Query.next() wraps service errors in an unchecked exception; the cause says which.
            Throwable cause = e.getCause();
            if (cause instanceof ProvisioningServiceClientException service) {
                throw translate(service, "reading the registrations of group '" + groupId + "'", null,
                        credentials.instanceId());
            }
            throw new DpsCallException("Reading the registrations of group '" + groupId + "' on DPS instance '"
                    + credentials.instanceId() + "' failed: " + e.getMessage(), null, credentials.instanceId(),
                    DpsCallException.NO_ANSWER, Optional.empty(), e);
        }
        return ids;
    }

    private ProvisioningServiceClient client(DpsCredentials credentials) {
        Objects.requireNonNull(credentials, "credentials");
        String connection = credentials.serviceConnectionString().orElseThrow(() -> new IllegalStateException(
                "DPS instance '" + credentials.instanceId() + "' has no service connection string configured; the "
                        + "enrollment lifecycle needs one (DpsCredentials.Builder#serviceConnectionString)"));
        return clients.computeIfAbsent(credentials.instanceId(), id -> {
            try {
                return new ProvisioningServiceClient(connection);
            } catch (IllegalArgumentException e) {
                // The SDK's message names the bad property, never the key.
                throw new IllegalArgumentException("the service connection string of DPS instance '" + id
                        + "' is not accepted: " + e.getMessage());
            }
        });
    }

    private static DpsCallException translate(ProvisioningServiceClientException e, String what,
            String registrationId, String instanceId) {
        int status = statusOf(e);
        return new DpsCallException("DPS instance '" + instanceId + "' failed " + what + " (status "
                + (status == DpsCallException.NO_ANSWER ? "none" : Integer.toString(status)) + "): " + e.getMessage(),
                registrationId, instanceId, status, Optional.empty(), e);
    }

    private static int statusOf(ProvisioningServiceClientException e) {
        if (e instanceof ProvisioningServiceClientBadFormatException) {
            return 400;
        }
        if (e instanceof ProvisioningServiceClientUnathorizedException) {
            return 401;
        }
        if (e instanceof ProvisioningServiceClientNotFoundException) {
            return 404;
        }
        if (e instanceof ProvisioningServiceClientPreconditionFailedException) {
            return 412;
        }
        if (e instanceof ProvisioningServiceClientTooManyRequestsException) {
            return 429;
        }
        if (e instanceof ProvisioningServiceClientBadUsageException) {
            return 400;
        }
        if (e instanceof ProvisioningServiceClientInternalServerErrorException) {
            return 500;
        }
        if (e instanceof ProvisioningServiceClientTransientException) {
            return 503;
        }
        return DpsCallException.NO_ANSWER;
    }
}
