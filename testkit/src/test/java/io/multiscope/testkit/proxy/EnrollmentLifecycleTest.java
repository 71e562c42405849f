package io.multiscope.testkit.proxy;

import io.multiscope.testkit.ServiceClientRouting;
import static io.multiscope.testkit.proxy.ProxyFixture.EU1;
import static io.multiscope.testkit.proxy.ProxyFixture.EU2;
import static io.multiscope.testkit.proxy.ProxyFixture.GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.SymmetricKeyAttestation;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientNotFoundException;
import io.multiscope.core.DriftReport;
import io.multiscope.core.RegistrationResult;
import io.multiscope.core.dps.AzureSdkDeviceGateway;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.dps.GroupSetup;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EnrollmentSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's enrollment lifecycle through the real DPS service client against two emulated instances. */
class EnrollmentLifecycleTest {

    static DpsEmulator dps;
    static ServiceClientRouting routing;
    ProxyFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        dps = ProxyFixture.startEmulator();
        routing = ServiceClientRouting.install(dps);
    }

    @AfterAll
    static void stop() throws Exception {
        routing.close();
        dps.close();
    }

    @BeforeEach
    void reset() {
        dps.reset();
    }

    @AfterEach
    void closeProxy() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void ensureCreatesAMissingGroupAndLeavesAPresentOneUntouched() throws Exception {
        fixture = new ProxyFixture(dps, 1000, false, b -> { });
        String eu2Key = fixture.credentials.get(EU2).primaryKey();
        dps.instance(EU2).putEnrollment(EnrollmentSpec.group(GROUP).symmetricKey(eu2Key).build());
        ProvisioningServiceClient eu2 = new ProvisioningServiceClient(dps.instance(EU2).serviceConnectionString());
        String etagBefore = eu2.getEnrollmentGroup(GROUP).getEtag();

        List<GroupSetup> setups = fixture.proxy.ensureEnrollmentGroups();

        assertThat(setups).extracting(GroupSetup::instanceId, GroupSetup::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple(EU1, GroupSetup.Outcome.CREATED),
                org.assertj.core.groups.Tuple.tuple(EU2, GroupSetup.Outcome.PRESENT));
        assertThat(setups.get(1).etag()).contains(etagBefore);
        assertThat(eu2.getEnrollmentGroup(GROUP).getEtag()).isEqualTo(etagBefore);
        // The group created on eu-1 carries the configured key: a device registers through it.
        ProvisioningServiceClient eu1 = new ProvisioningServiceClient(dps.instance(EU1).serviceConnectionString());
        SymmetricKeyAttestation keys = (SymmetricKeyAttestation) eu1.getEnrollmentGroupAttestationMechanism(GROUP)
                .getAttestation();
        assertThat(fixture.credentials.get(EU1).hasKeys(keys.getPrimaryKey(), null)).isTrue();
        assertThat(fixture.registerAndWait("sensor-1")).isInstanceOf(RegistrationResult.Registered.class);
        String eu1Etag = eu1.getEnrollmentGroup(GROUP).getEtag();

        // Running it again changes nothing anywhere.
        assertThat(fixture.proxy.ensureEnrollmentGroups()).extracting(GroupSetup::outcome)
                .containsOnly(GroupSetup.Outcome.PRESENT);
        assertThat(eu1.getEnrollmentGroup(GROUP).getEtag()).isEqualTo(eu1Etag);
        assertThat(eu2.getEnrollmentGroup(GROUP).getEtag()).isEqualTo(etagBefore);
    }

    @Test
    void aGroupWithOtherKeysIsReportedAndLeftAlone() throws Exception {
        fixture = new ProxyFixture(dps, 1000, false, b -> { });
        String otherKey = ProxyFixture.randomKey();
        dps.instance(EU1).putEnrollment(EnrollmentSpec.group(GROUP).symmetricKey(otherKey).build());
        ProvisioningServiceClient eu1 = new ProvisioningServiceClient(dps.instance(EU1).serviceConnectionString());
        String etagBefore = eu1.getEnrollmentGroup(GROUP).getEtag();

        List<GroupSetup> setups = fixture.proxy.ensureEnrollmentGroups();

        assertThat(setups.get(0).outcome()).isEqualTo(GroupSetup.Outcome.KEY_MISMATCH);
        assertThat(eu1.getEnrollmentGroup(GROUP).getEtag()).isEqualTo(etagBefore);
        assertThat(((SymmetricKeyAttestation) eu1.getEnrollmentGroupAttestationMechanism(GROUP).getAttestation())
                .getPrimaryKey()).isEqualTo(otherKey);
        assertThat(setups.toString()).doesNotContain(otherKey)
                .doesNotContain(fixture.credentials.get(EU1).primaryKey());
    }

    @Test
    void deprovisionRemovesTheRegistrationStateAndIndividualEnrollmentAndFreesTheCount() throws Exception {
        fixture = ProxyFixture.create(dps, b -> { });
        fixture.registerAndWait("sensor-1");
        fixture.registerAndWait("sensor-2"); // on eu-2
        // An operator also gave sensor-1 an individual enrollment on its instance.
        dps.instance(EU1).createSymmetricKeyEnrollment("sensor-1");
        assertThat(dps.instance(EU1).registration("sensor-1")).isPresent();
        assertThat(fixture.proxy.store().assignedCount(EU1)).isEqualTo(1);

        assertThat(fixture.proxy.deprovision("Sensor-1")).isTrue();

        assertThat(dps.instance(EU1).registration("sensor-1")).isEmpty();
        ProvisioningServiceClient eu1 = new ProvisioningServiceClient(dps.instance(EU1).serviceConnectionString());
        assertThatThrownBy(() -> eu1.getIndividualEnrollment("sensor-1"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
        assertThat(fixture.proxy.store().assignedCount(EU1)).isZero();
        assertThat(fixture.proxy.lookup("sensor-1")).isEmpty();
        assertThat(fixture.proxy.assignedHub("sensor-1")).isEmpty();
        assertThat(dps.instance(EU2).registration("sensor-2")).isPresent();
        assertThat(fixture.proxy.deprovision("sensor-1")).isFalse();

        // The device can come back and is registered afresh.
        assertThat(fixture.registerAndWait("sensor-1")).isInstanceOfSatisfying(RegistrationResult.Registered.class,
                r -> assertThat(r.newlyRegistered()).isTrue());
    }

    @Test
    void theDriftReportFindsRegistrationsTheInventoryDoesNotKnowAndOnesDpsLost() throws Exception {
        fixture = ProxyFixture.create(dps, b -> { });
        fixture.registerAndWait("sensor-1"); // eu-1
        fixture.registerAndWait("sensor-2"); // eu-2
        assertThat(fixture.proxy.monitor().hasDrift()).isFalse();

        // A device registered on eu-1 through the group, bypassing the proxy...
        DpsCredentials eu1 = fixture.credentials.get(EU1);
        AzureSdkDeviceGateway.builder().sslContext(dps.clientSslContext()).timeout(Duration.ofSeconds(15)).build()
                .register(fixture.instances.get(EU1), "rogue-1", eu1.deviceKey("rogue-1"), Optional.empty());
        // ...and a registration deleted on eu-2 behind the proxy's back.
        dps.instance(EU2).deleteRegistration("sensor-2");

        DriftReport report = fixture.proxy.monitor();

        assertThat(report.hasDrift()).isTrue();
        assertThat(report.unchecked()).isEmpty();
        DriftReport.InstanceDrift first = report.instances().get(0);
        assertThat(first.instanceId()).isEqualTo(EU1);
        assertThat(first.dpsRegistrations()).isEqualTo(2);
        assertThat(first.inventoryRegistered()).isEqualTo(1);
        assertThat(first.unknownToInventory()).containsExactly("rogue-1");
        assertThat(first.missingOnDps()).isEmpty();
        DriftReport.InstanceDrift second = report.instances().get(1);
        assertThat(second.unknownToInventory()).isEmpty();
        assertThat(second.missingOnDps()).containsExactly("sensor-2");
    }
}
