package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.Query;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.AllocationPolicy;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.BulkEnrollmentOperationResult;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.BulkOperationMode;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.DeviceRegistrationState;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.EnrollmentGroup;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.IndividualEnrollment;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.QueryResult;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.QueryResultType;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.QuerySpecificationBuilder;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.SymmetricKeyAttestation;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.X509Attestation;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientBadFormatException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientNotFoundException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientPreconditionFailedException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientUnathorizedException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServiceClientTest {

    static DpsEmulator dps;
    static ServiceClientRouting routing;
    static ProvisioningServiceClient service;
    static EmulatedDpsInstance eu;

    @BeforeAll
    static void start() {
        dps = DpsEmulator.builder()
                .instance("dps-eu-1", i -> i.idScope("0ne0001A1B2")
                        .linkedHub("hub-eu-1.azure-devices.net").linkedHub("hub-eu-2.azure-devices.net"))
                .instance("dps-us-1", i -> i.idScope("0ne0003C4D5"))
                .instantAssignment(true)
                .start();
        routing = ServiceClientRouting.install(dps);
        eu = dps.instance("dps-eu-1");
        service = new ProvisioningServiceClient(eu.serviceConnectionString());
    }

    @AfterAll
    static void stop() {
        routing.close();
        dps.close();
    }

    @BeforeEach
    void reset() {
        dps.reset();
    }

    @Test
    void individualEnrollmentCrudWithEtags() throws Exception {
        IndividualEnrollment created = service.createOrUpdateIndividualEnrollment(
                new IndividualEnrollment("svc-dev-1", new SymmetricKeyAttestation("", "")));
        assertThat(created.getEtag()).startsWith("\"").endsWith("\"");
        assertThat(created.getCreatedDateTimeUtc()).isNotNull();

        // Keys were generated, and are only handed out by the attestation mechanism call, as in DPS.
        SymmetricKeyAttestation keys = (SymmetricKeyAttestation) service
                .getIndividualEnrollmentAttestationMechanism("svc-dev-1").getAttestation();
        assertThat(keys.getPrimaryKey()).isNotEmpty();
        assertThat(keys.getSecondaryKey()).isNotEmpty();

        IndividualEnrollment read = service.getIndividualEnrollment("svc-dev-1");
        assertThat(read.getEtag()).isEqualTo(created.getEtag());

        read.setIotHubHostName("hub-eu-2.azure-devices.net");
        read.setAllocationPolicy(AllocationPolicy.STATIC);
        IndividualEnrollment updated = service.createOrUpdateIndividualEnrollment(read);
        assertThat(updated.getEtag()).isNotEqualTo(created.getEtag());
        assertThat(updated.getIotHubHostName()).isEqualTo("hub-eu-2.azure-devices.net");

        // The stale etag is now refused, on update and on delete.
        read.setEtag(created.getEtag());
        assertThatThrownBy(() -> service.createOrUpdateIndividualEnrollment(read))
                .isInstanceOf(ProvisioningServiceClientPreconditionFailedException.class);
        assertThatThrownBy(() -> service.deleteIndividualEnrollment("svc-dev-1", created.getEtag()))
                .isInstanceOf(ProvisioningServiceClientPreconditionFailedException.class);

        // Keys survive an update that sent none.
        SymmetricKeyAttestation keysAfter = (SymmetricKeyAttestation) service
                .getIndividualEnrollmentAttestationMechanism("svc-dev-1").getAttestation();
        assertThat(keysAfter.getPrimaryKey()).isEqualTo(keys.getPrimaryKey());

        service.deleteIndividualEnrollment("svc-dev-1", updated.getEtag());
        assertThatThrownBy(() -> service.getIndividualEnrollment("svc-dev-1"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
        assertThat(eu.counters().serviceOperations()).isEqualTo(9);
    }

    @Test
    void enrollmentGroupWithX509SigningCertificate() throws Exception {
        TestCertificates pki = dps.certificates();
        EnrollmentGroup group = service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("x509-grp",
                X509Attestation.createFromRootCertificates(TestCertificatesPem.of(pki.caCertificate()))));
        assertThat(group.getEtag()).isNotNull();

        DeviceCertificate device = pki.device("x509-device-1");
        var result = SdkDevice.register(dps.deviceEndpoint(), eu.idScope(), new TestX509SecurityProvider(device, pki));
        assertThat(result.getDeviceId()).isEqualTo("x509-device-1");

        assertThatThrownBy(() -> service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("bad-grp",
                X509Attestation.createFromRootCertificates("not a certificate"))))
                .isInstanceOf(ProvisioningServiceClientBadFormatException.class)
                .hasMessageContaining("certificate");
    }

    @Test
    void queryPagesThroughEnrollments() {
        for (int i = 0; i < 7; i++) {
            eu.createSymmetricKeyEnrollment("page-dev-" + i);
        }
        Query query = service.createIndividualEnrollmentQuery(
                new QuerySpecificationBuilder("*", QuerySpecificationBuilder.FromType.ENROLLMENTS).createSqlQuery(), 3);
        List<Integer> pageSizes = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        while (query.hasNext()) {
            QueryResult page = query.next();
            assertThat(page.getType()).isEqualTo(QueryResultType.ENROLLMENT);
            pageSizes.add(page.getItems().length);
            for (Object item : page.getItems()) {
                ids.add(((IndividualEnrollment) item).getRegistrationId());
            }
        }
        assertThat(pageSizes).containsExactly(3, 3, 1);
        assertThat(ids).hasSize(7).doesNotHaveDuplicates();
    }

    @Test
    void bulkCreateReportsPerItemErrors() throws Exception {
        List<IndividualEnrollment> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batch.add(new IndividualEnrollment("bulk-dev-" + i, new SymmetricKeyAttestation("", "")));
        }
        BulkEnrollmentOperationResult first = service.runBulkEnrollmentOperation(BulkOperationMode.CREATE, batch);
        assertThat(first.getSuccessful()).isTrue();
        assertThat(first.getErrors()).isEmpty();

        BulkEnrollmentOperationResult again = service.runBulkEnrollmentOperation(BulkOperationMode.CREATE,
                batch.subList(0, 2));
        assertThat(again.getSuccessful()).isFalse();
        assertThat(again.getErrors()).hasSize(2)
                .allSatisfy(e -> assertThat(e.getErrorCode()).isEqualTo(409201));

        BulkEnrollmentOperationResult deleted = service.runBulkEnrollmentOperation(BulkOperationMode.DELETE, batch);
        assertThat(deleted.getSuccessful()).isTrue();
        assertThat(eu.registrations()).isEmpty();
    }

    @Test
    void registrationStatesCanBeReadQueriedAndDeleted() throws Exception {
        service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("grp", new SymmetricKeyAttestation("", "")));
        String groupKey = ((SymmetricKeyAttestation) service.getEnrollmentGroupAttestationMechanism("grp")
                .getAttestation()).getPrimaryKey();
        for (String id : List.of("reg-a", "reg-b", "reg-c")) {
            SdkDevice.register(dps.deviceEndpoint(), eu.idScope(),
                    TestSymmetricKeySecurityProvider.forGroupDevice(id, groupKey, dps.certificates()));
        }

        DeviceRegistrationState state = service.getDeviceRegistrationState("reg-a");
        assertThat(state.getAssignedHub()).startsWith("hub-eu-");
        assertThat(state.getDeviceId()).isEqualTo("reg-a");

        Query query = service.createEnrollmentGroupRegistrationStateQuery(
                new QuerySpecificationBuilder("*", QuerySpecificationBuilder.FromType.ENROLLMENTS).createSqlQuery(),
                "grp", 2);
        List<String> ids = new ArrayList<>();
        while (query.hasNext()) {
            QueryResult page = query.next();
            assertThat(page.getType()).isEqualTo(QueryResultType.DEVICE_REGISTRATION);
            for (Object item : page.getItems()) {
                ids.add(((DeviceRegistrationState) item).getRegistrationId());
            }
        }
        assertThat(ids).containsExactly("reg-a", "reg-b", "reg-c");

        assertThatThrownBy(() -> service.deleteDeviceRegistrationState("reg-a", "\"wrong\""))
                .isInstanceOf(ProvisioningServiceClientPreconditionFailedException.class);
        service.deleteDeviceRegistrationState(state);
        assertThatThrownBy(() -> service.getDeviceRegistrationState("reg-a"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
        assertThat(eu.registration("reg-a")).isEmpty();
    }

    @Test
    void enrollmentGroupBulkOverRest() {
        RawDps raw = new RawDps(dps);
        RawDps.Response created = raw.service(eu, "POST", "enrollmentGroups" + RawDps.API, """
                {"mode": "create", "enrollmentGroups": [
                  {"enrollmentGroupId": "bulk-g1", "attestation": {"type": "symmetricKey"}},
                  {"enrollmentGroupId": "bulk-g2", "attestation": {"type": "symmetricKey"}},
                  {"enrollmentGroupId": "bad id", "attestation": {"type": "symmetricKey"}}]}""");

        assertThat(created.status()).isEqualTo(200);
        assertThat(created.json().path("isSuccessful").asBoolean()).isFalse();
        assertThat(created.json().path("errors")).hasSize(1);
        assertThat(created.json().path("errors").path(0).path("enrollmentGroupId").asText()).isEqualTo("bad id");
        assertThat(created.json().path("errors").path(0).path("errorCode").asInt()).isEqualTo(400004);
        assertThat(raw.service(eu, "GET", "enrollmentGroups/bulk-g2" + RawDps.API, null).status()).isEqualTo(200);
    }

    @Test
    void eachInstanceHasItsOwnHostAndKey() throws Exception {
        EmulatedDpsInstance us = dps.instance("dps-us-1");
        ProvisioningServiceClient usService = new ProvisioningServiceClient(us.serviceConnectionString());
        usService.createOrUpdateEnrollmentGroup(new EnrollmentGroup("us-grp", new SymmetricKeyAttestation("", "")));

        assertThat(us.counters().serviceOperations()).isEqualTo(1);
        assertThatThrownBy(() -> service.getEnrollmentGroup("us-grp"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);

        String wrongKey = us.serviceConnectionString().replace(us.settings().policyKey(), eu.settings().policyKey());
        assertThatThrownBy(() -> new ProvisioningServiceClient(wrongKey).getEnrollmentGroup("us-grp"))
                .isInstanceOf(ProvisioningServiceClientUnathorizedException.class);
    }
}
