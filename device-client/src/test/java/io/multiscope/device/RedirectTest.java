package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.testkit.EmulatedDpsInstance;
import io.multiscope.testkit.EnrollmentSpec;
import io.multiscope.testkit.RequestKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pattern 3: a factory DPS instance whose custom allocation webhook puts a redirect in the payload, and owner
 * instances the device registers with next. The real Azure SDK registers at every hop, against the emulator.
 */
class RedirectTest {

    @TempDir
    Path dir;

    TestEnvironment env;
    AllocationWebhook webhook;
    Path file;

    @BeforeEach
    void start() {
        webhook = AllocationWebhook.start(TestEnvironment.PKI);
        env = TestEnvironment.start("factory", "owner-a", "owner-b", "owner-c");
        allocateThroughWebhook("factory");
        file = dir.resolve("state.json");
    }

    @AfterEach
    void stop() {
        if (env != null) {
            env.close();
        }
        if (webhook != null) {
            webhook.close();
        }
    }

    /** The instance's symmetric-key group (same group key) asks the webhook under the instance's name. */
    private void allocateThroughWebhook(String instance) {
        EmulatedDpsInstance i = env.instance(instance);
        i.deleteEnrollmentGroup("fleet");
        i.putEnrollment(EnrollmentSpec.group("fleet-custom").symmetricKey(TestEnvironment.GROUP_KEY)
                .customAllocation(webhook.url(instance)).build());
    }

    private String redirectTo(String instance) {
        return "{\"redirect\":{\"version\":1,\"globalEndpoint\":\"" + env.dps.deviceEndpoint() + "\",\"idScope\":\""
                + env.instance(instance).idScope() + "\"},\"note\":\"other members are ignored\"}";
    }

    private void redirect(String from, String to) {
        webhook.payload(from, redirectTo(to));
    }

    private String hop(String instance) {
        return env.dps.deviceEndpoint() + "/" + env.instance(instance).idScope();
    }

    private DeviceProvisioner device(String registrationId, RecordingListener events) {
        return env.direct(env.device(registrationId, events), "factory").stateStore(FileStateStore.at(file)).build();
    }

    @Test
    void followsOneRedirectAndPersistsWhereItEnded() throws Exception {
        redirect("factory", "owner-a");
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = device("moved-1", events).ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.idScope()).isEqualTo(env.instance("owner-a").idScope());
        assertThat(result.assignedHub()).isEqualTo("owner-a-hub.azure-devices.net");
        assertThat(result.redirectedFrom()).containsExactly(hop("factory"));
        assertThat(result.payload()).isEmpty();
        assertThat(env.instance("factory").registration("moved-1").orElseThrow().status()).isEqualTo("assigned");
        assertThat(env.instance("owner-a").registration("moved-1").orElseThrow().status()).isEqualTo("assigned");
        assertThat(env.instance("owner-a").counters().registrations()).isEqualTo(1);
        assertThat(events.of(Type.REDIRECTED)).singleElement().satisfies(e -> assertThat(e.detail())
                .contains(hop("factory")).contains(hop("owner-a")).contains("hop 1 of at most 2"));
        assertThat(events.of(Type.PROVISIONED)).hasSize(1);
        // One write at the end: the final assignment and the way there, under the factory configuration.
        String stored = Files.readString(file);
        assertThat(stored).contains(env.instance("owner-a").idScope()).contains("\"redirectedFrom\":[\""
                + hop("factory") + "\"]").contains("\"configuration\":\"dps " + hop("factory").replace('/', ' '));
    }

    @Test
    void aRebootAfterARedirectUsesTheStoredResultWithoutAnyNetworkCall() {
        redirect("factory", "owner-a");
        ProvisioningResult first = device("reboot-1", new RecordingListener()).ensureProvisioned();
        long requests = env.dpsRequests();
        long webhookCalls = webhook.calls("factory");
        RecordingListener events = new RecordingListener();

        ProvisioningResult reboot = device("reboot-1", events).ensureProvisioned();

        assertThat(reboot).isEqualTo(first);
        assertThat(reboot.source()).contains(ProvisioningResult.Source.STORED);
        assertThat(reboot.redirectedFrom()).containsExactly(hop("factory"));
        assertThat(env.dpsRequests()).isEqualTo(requests);
        assertThat(webhook.calls("factory")).isEqualTo(webhookCalls);
        assertThat(events.types()).doesNotContain(Type.STATE_IGNORED, Type.STAGGER);
    }

    @Test
    void twoHopsAreFollowedByDefault() {
        allocateThroughWebhook("owner-a");
        redirect("factory", "owner-a");
        redirect("owner-a", "owner-b");
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = device("two-hops", events).ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.idScope()).isEqualTo(env.instance("owner-b").idScope());
        assertThat(result.redirectedFrom()).containsExactly(hop("factory"), hop("owner-a"));
        assertThat(events.of(Type.REDIRECTED)).hasSize(2);
    }

    @Test
    void aHopMoreThanAllowedIsRefusedAndTheLastGoodResultStays() throws Exception {
        redirect("factory", "owner-a");
        DeviceProvisioner device = device("hopper-1", new RecordingListener());
        ProvisioningResult before = device.ensureProvisioned();
        assertThat(before.isProvisioned()).isTrue();
        allocateThroughWebhook("owner-a");
        allocateThroughWebhook("owner-b");
        redirect("owner-a", "owner-b");
        redirect("owner-b", "owner-c");
        RecordingListener events = new RecordingListener();

        ProvisioningResult refused = device("hopper-1", events).reprovision("transfer of ownership");

        assertThat(refused.isProvisioned()).isFalse();
        assertThat(refused.reason()).contains(ProvisioningResult.Reason.REDIRECT_REFUSED);
        assertThat(refused.detail()).contains("hop 3").contains("at most 2");
        assertThat(events.of(Type.ATTEMPT_FAILED)).singleElement().satisfies(e -> assertThat(e.failureKind())
                .contains(FailureKind.REDIRECT_REFUSED));
        assertThat(events.of(Type.REDIRECTED)).hasSize(2);
        assertThat(env.instance("owner-c").counters().total()).as("the third hop is not taken").isZero();
        assertThat(device.current()).isEqualTo(before);
        assertThat(Files.readString(file)).doesNotContain(env.instance("owner-b").idScope());
        long requests = env.dpsRequests();
        assertThat(device("hopper-1", new RecordingListener()).ensureProvisioned()).isEqualTo(before);
        assertThat(env.dpsRequests()).isEqualTo(requests);
    }

    @Test
    void theHopLimitIsConfigurable() {
        allocateThroughWebhook("owner-a");
        allocateThroughWebhook("owner-b");
        redirect("factory", "owner-a");
        redirect("owner-a", "owner-b");
        redirect("owner-b", "owner-c");

        ProvisioningResult three = env.direct(env.device("three-hops", new RecordingListener()), "factory")
                .maxRedirects(3).build().ensureProvisioned();
        ProvisioningResult none = env.direct(env.device("no-hops", new RecordingListener()), "factory")
                .maxRedirects(0).build().ensureProvisioned();

        assertThat(three.idScope()).isEqualTo(env.instance("owner-c").idScope());
        assertThat(three.redirectedFrom()).containsExactly(hop("factory"), hop("owner-a"), hop("owner-b"));
        assertThat(none.reason()).contains(ProvisioningResult.Reason.REDIRECT_REFUSED);
        assertThat(none.detail()).contains("maxRedirects 0");
        assertThat(env.instance("owner-a").registration("no-hops")).isEmpty();
    }

    @Test
    void aLoopIsRefusedAndNothingIsStored() throws Exception {
        allocateThroughWebhook("owner-a");
        redirect("factory", "owner-a");
        // The same instance, spelt in upper case: still a loop.
        webhook.payload("owner-a", redirectTo("factory").replace(env.instance("factory").idScope(),
                env.instance("factory").idScope().toUpperCase(java.util.Locale.ROOT)));
        RecordingListener events = new RecordingListener();
        DeviceProvisioner device = device("looper-1", events);

        ProvisioningResult result = device.ensureProvisioned();

        assertThat(result.reason()).contains(ProvisioningResult.Reason.REDIRECT_REFUSED);
        assertThat(result.detail()).contains("loop");
        assertThat(env.instance("factory").counters().registrations()).as("the loop is not walked").isEqualTo(1);
        assertThat(env.instance("owner-a").counters().registrations()).isEqualTo(1);
        assertThat(device.current()).isEqualTo(ProvisioningResult.UNPROVISIONED);
        assertThat(Files.readString(file)).contains("\"result\":null");
        assertThat(events.types()).doesNotContain(Type.PROVISIONED);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"redirect\":{\"version\":2,\"globalEndpoint\":\"ENDPOINT\",\"idScope\":\"SCOPE\"}}",
        "{\"redirect\":{\"version\":\"1\",\"globalEndpoint\":\"ENDPOINT\",\"idScope\":\"SCOPE\"}}",
        "{\"redirect\":{\"globalEndpoint\":\"ENDPOINT\",\"idScope\":\"SCOPE\"}}",
        "{\"redirect\":{\"version\":1,\"globalEndpoint\":\"ENDPOINT\"}}",
        "{\"redirect\":{\"version\":1,\"globalEndpoint\":\" \",\"idScope\":\"SCOPE\"}}",
        "{\"redirect\":{\"version\":1,\"globalEndpoint\":\"https://ENDPOINT\",\"idScope\":\"SCOPE\"}}",
        "{\"redirect\":\"ENDPOINT/SCOPE\"}",
        "{\"redirect\":[\"ENDPOINT\",\"SCOPE\"]}",
        "{\"redirect\":null}"
    })
    void anInvalidRedirectIsRefusedAndTheLastGoodResultStays(String invalid) throws Exception {
        redirect("factory", "owner-a");
        DeviceProvisioner device = device("strict-1", new RecordingListener());
        ProvisioningResult before = device.ensureProvisioned();
        byte[] storedBefore = Files.readAllBytes(file);
        webhook.payload("factory", invalid.replace("ENDPOINT", env.dps.deviceEndpoint())
                .replace("SCOPE", env.instance("owner-b").idScope()));
        RecordingListener events = new RecordingListener();

        ProvisioningResult refused = device("strict-1", events).reprovision("hub command");

        assertThat(refused.reason()).as(refused.toString()).contains(ProvisioningResult.Reason.REDIRECT_REFUSED);
        assertThat(refused.detail()).contains(hop("factory"));
        assertThat(events.of(Type.GAVE_UP)).hasSize(1);
        assertThat(env.instance("owner-b").counters().total()).isZero();
        assertThat(device.current()).isEqualTo(before);
        // Only the breaker's failure count moved.
        assertThat(new String(Files.readAllBytes(file))).isEqualTo(new String(storedBefore)
                .replace("\"consecutiveFailures\":0", "\"consecutiveFailures\":1"));
    }

    @Test
    void reprovisionStartsAtTheFactoryAndEndsWhereTheFactoryNowSends() {
        redirect("factory", "owner-a");
        DeviceProvisioner device = device("sold-1", new RecordingListener());
        assertThat(device.ensureProvisioned().idScope()).isEqualTo(env.instance("owner-a").idScope());
        redirect("factory", "owner-b");   // ownership transferred: the factory's webhook now names owner-b

        ProvisioningResult after = device.reprovision("transfer of ownership");

        assertThat(after.idScope()).as(after.toString()).isEqualTo(env.instance("owner-b").idScope());
        assertThat(after.assignedHub()).isEqualTo("owner-b-hub.azure-devices.net");
        assertThat(after.redirectedFrom()).containsExactly(hop("factory"));
        assertThat(env.instance("factory").counters().registrations()).isEqualTo(2);
        assertThat(env.instance("owner-a").counters().registrations()).isEqualTo(1);
        assertThat(env.instance("owner-b").counters().registrations()).isEqualTo(1);
        long requests = env.dpsRequests();
        ProvisioningResult reboot = device("sold-1", new RecordingListener()).ensureProvisioned();
        assertThat(reboot.idScope()).isEqualTo(env.instance("owner-b").idScope());
        assertThat(env.dpsRequests()).isEqualTo(requests);
    }

    @Test
    void aFailureAtTheTargetIsRetriedThereWithoutRegisteringAtTheFactoryAgain() {
        redirect("factory", "owner-a");
        env.instance("owner-a").failNext(1, 503, RequestKind.REGISTER);
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = device("retry-1", events).ensureProvisioned();

        assertThat(result.idScope()).as(result.toString()).isEqualTo(env.instance("owner-a").idScope());
        assertThat(result.redirectedFrom()).containsExactly(hop("factory"));
        assertThat(events.of(Type.ATTEMPT_FAILED)).hasSize(1);
        assertThat(env.instance("factory").counters().registrations()).isEqualTo(1);
        assertThat(env.instance("owner-a").counters().registrations()).isEqualTo(2);
        assertThat(env.time.sleeps()).hasSize(2);   // the stagger, then one backoff
    }

    @Test
    void aDeviceThatLostItsStateAsksTheFactoryAgainThenFindsItsRegistrationAtTheTarget() {
        redirect("factory", "owner-a");
        ProvisioningResult first = env.direct(env.device("amnesiac-1", new RecordingListener()), "factory").build()
                .ensureProvisioned();
        long factoryRegistrations = env.instance("factory").counters().registrations();
        long targetRegistrations = env.instance("owner-a").counters().registrations();
        long webhookCalls = webhook.calls("factory");

        // A fresh in-memory store: everything forgotten.
        ProvisioningResult again = env.direct(env.device("amnesiac-1", new RecordingListener()), "factory").build()
                .ensureProvisioned();

        assertThat(again.source()).contains(ProvisioningResult.Source.STATUS_LOOKUP);
        assertThat(again.assignedHub()).isEqualTo(first.assignedHub());
        assertThat(again.idScope()).isEqualTo(first.idScope());
        assertThat(again.redirectedFrom()).isEqualTo(List.of(hop("factory")));
        // The factory's looked-up redirect may be stale, so the factory is asked again; the target is only looked up.
        assertThat(env.instance("factory").counters().registrations()).isEqualTo(factoryRegistrations + 1);
        assertThat(webhook.calls("factory")).isEqualTo(webhookCalls + 1);
        assertThat(env.instance("owner-a").counters().registrations()).isEqualTo(targetRegistrations);
    }

    @Test
    void aDeviceThatLostItsStateAfterATransferFollowsTheFactorysCurrentRedirect() {
        redirect("factory", "owner-a");
        ProvisioningResult first = env.direct(env.device("resold-1", new RecordingListener()), "factory").build()
                .ensureProvisioned();
        assertThat(first.idScope()).isEqualTo(env.instance("owner-a").idScope());
        // Transferred: the factory now names owner-b, but its stored registration still holds the old redirect.
        redirect("factory", "owner-b");

        ProvisioningResult reset = env.direct(env.device("resold-1", new RecordingListener()), "factory").build()
                .ensureProvisioned();

        assertThat(reset.idScope()).as(reset.toString()).isEqualTo(env.instance("owner-b").idScope());
        assertThat(reset.redirectedFrom()).containsExactly(hop("factory"));
        assertThat(env.instance("owner-a").counters().registrations()).as("not back at the old owner's").isEqualTo(1);
        assertThat(env.instance("owner-b").registration("resold-1").orElseThrow().status()).isEqualTo("assigned");
    }
}
