package io.multiscope.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.allocation.Allocators;
import io.multiscope.core.attestation.AttestationException;
import io.multiscope.core.attestation.AttestationRequest;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.spi.InstanceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZeroTouchProvisioningTest {

    static final String GROUP_KEY = Base64.getEncoder().encodeToString("group-key-of-32-bytes-for-tests!".getBytes());
    static final String CONTOSO_KEY = Base64.getEncoder().encodeToString("contoso-key-of-32-bytes-for-test".getBytes());

    VirtualClock clock;
    InMemoryInventoryStore store;

    @BeforeEach
    void setUp() {
        clock = VirtualClock.startingAt(java.time.Instant.now());
        store = new InMemoryInventoryStore(clock);
    }

    ZeroTouchProvisioning.Builder service(DpsInstance... instances) {
        ZeroTouchProvisioning.Builder b = ZeroTouchProvisioning.builder().store(store).clock(clock).ticker(clock)
                .snapshotInterval(Duration.ZERO)
                .admission(AdmissionControl.builder().clock(clock).build())
                .attestation(SymmetricKeyAttestation.builder().groupKey(GROUP_KEY)
                        .tenantGroupKey("contoso", CONTOSO_KEY).clock(clock).build());
        for (DpsInstance i : instances) {
            b.instance(i);
        }
        return b;
    }

    static DpsInstance instance(String id, String region) {
        return DpsInstance.builder(id).idScope("0ne-" + id).region(region).build();
    }

    AttestationRequest credentials(String registrationId) {
        return credentials(registrationId, GROUP_KEY, registrationId, clock.instant().plus(Duration.ofMinutes(30)));
    }

    AttestationRequest credentials(String registrationId, String groupKey, String signedFor, java.time.Instant expiry) {
        String token = SasToken.forDevice(SasToken.deviceResource("multiscope", signedFor),
                SasToken.deriveDeviceKey(groupKey, signedFor), expiry);
        return new AttestationRequest(registrationId, Optional.of(token), List.of());
    }

    AssignmentResult.Assigned assigned(AssignmentResult r) {
        assertThat(r).isInstanceOf(AssignmentResult.Assigned.class);
        return (AssignmentResult.Assigned) r;
    }

    @Test
    void placesANewDeviceAndServesItStickyAfterwards() {
        ZeroTouchProvisioning zt = service(instance("eu", "westeurope"), instance("us", "eastus")).build();
        AssignmentResult.Assigned first = assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-1"))));
        assertThat(first.newlyAssigned()).isTrue();
        assertThat(first.assignment().idScope()).isEqualTo("0ne-" + first.assignment().instanceId());
        AssignmentResult.Assigned again = assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-1"))));
        assertThat(again.newlyAssigned()).isFalse();
        assertThat(again.assignment()).isEqualTo(first.assignment());
        assertThat(store.assignedCounts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1);
        assertThat(zt.stats().newAssignments()).isEqualTo(1);
        assertThat(zt.stats().cacheHits()).isEqualTo(1);
    }

    @Test
    void registrationIdsAreCaseInsensitive() {
        ZeroTouchProvisioning zt = service(instance("eu", "westeurope")).build();
        DeviceAssignment lower = assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-1")))).assignment();
        AssignmentResult.Assigned upper = assigned(zt.requestAssignment(AssignmentRequest.of(credentials("DEV-1"))));
        assertThat(upper.newlyAssigned()).isFalse();
        assertThat(upper.assignment()).isEqualTo(lower);
        assertThat(store.assignedCount("eu")).isEqualTo(1);
    }

    @Test
    void concurrentRequestsForOneDeviceMakeOneAssignment() throws Exception {
        ZeroTouchProvisioning zt = service(instance("a", "westeurope"), instance("b", "westeurope")).build();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<AssignmentResult>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return zt.requestAssignment(AssignmentRequest.of(credentials("dev-1")));
                }));
            }
            go.countDown();
            long created = 0;
            String instance = null;
            for (Future<AssignmentResult> f : results) {
                AssignmentResult.Assigned a = assigned(f.get(1, TimeUnit.MINUTES));
                created += a.newlyAssigned() ? 1 : 0;
                instance = instance == null ? a.assignment().instanceId() : instance;
                assertThat(a.assignment().instanceId()).isEqualTo(instance);
            }
            assertThat(created).isEqualTo(1);
            assertThat(store.assignedCount("a") + store.assignedCount("b")).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void defersWithAJitteredRetryAfterWhenEveryInstanceIsAtItsRateLimit() {
        DpsInstance slow = DpsInstance.builder("slow").idScope("0ne-slow").region("westeurope")
                .registrationsPerMinute(60).build();
        ZeroTouchProvisioning zt = service(slow).build();
        int assigned = 0;
        AssignmentResult.Deferred deferred = null;
        for (int i = 0; i < 200 && deferred == null; i++) {
            AssignmentResult r = zt.requestAssignment(AssignmentRequest.of(credentials("dev-" + i)));
            if (r instanceof AssignmentResult.Deferred d) {
                deferred = d;
            } else {
                assigned++;
            }
        }
        assertThat(deferred).as("a deferral once the quota is used").isNotNull();
        assertThat(assigned).isBetween(1, 60);
        assertThat(deferred.retryAfter()).isPositive();
        assertThat(store.findAssignment(deferred.registrationId())).isEmpty();
        long before = store.assignedCount("slow");
        clock.advance(Duration.ofMinutes(1));
        assertThat(zt.requestAssignment(AssignmentRequest.of(credentials(deferred.registrationId()))))
                .isInstanceOf(AssignmentResult.Assigned.class);
        assertThat(store.assignedCount("slow")).isEqualTo(before + 1);
        assertThat(zt.stats().deferrals()).isEqualTo(1);
    }

    @Test
    void aKnownDeviceIsServedEvenWhenTheQuotaIsUsedUp() {
        DpsInstance slow = DpsInstance.builder("slow").idScope("0ne-slow").region("westeurope")
                .registrationsPerMinute(5).build();
        ZeroTouchProvisioning zt = service(slow).build();
        DeviceAssignment first = assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-0")))).assignment();
        for (int i = 1; i < 50; i++) {
            zt.requestAssignment(AssignmentRequest.of(credentials("dev-" + i)));
        }
        assertThat(assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-0")))).assignment())
                .isEqualTo(first);
    }

    @Test
    void aDrainingInstanceKeepsItsDevicesAndGetsNoNewOnes() {
        ZeroTouchProvisioning zt = service(instance("a", "westeurope"), instance("b", "westeurope"))
                .strategy(Allocators.rendezvous()).build();
        List<DeviceAssignment> onA = new ArrayList<>();
        for (int i = 0; onA.size() < 3; i++) {
            DeviceAssignment d = assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-" + i))))
                    .assignment();
            if (d.instanceId().equals("a")) {
                onA.add(d);
            }
        }
        zt.drain("a");
        long countA = store.assignedCount("a");
        for (int i = 100; i < 150; i++) {
            assertThat(assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-" + i)))).assignment()
                    .instanceId()).isEqualTo("b");
        }
        for (DeviceAssignment d : onA) {
            assertThat(assigned(zt.requestAssignment(AssignmentRequest.of(credentials(d.registrationId()))))
                    .assignment()).isEqualTo(d);
        }
        assertThat(store.assignedCount("a")).isEqualTo(countA);
    }

    @Test
    void rejectsNamingEveryInstanceWhenAllAreDrainingOrFull() {
        DpsInstance full = DpsInstance.builder("full").idScope("0ne-full").region("westeurope").capacity(1).build();
        ZeroTouchProvisioning zt = service(full, instance("d", "westeurope")).build();
        zt.drain("d");
        assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-0"))));
        assertThatThrownBy(() -> zt.requestAssignment(AssignmentRequest.of(credentials("dev-1"))))
                .isInstanceOf(AllocationRejectedException.class)
                .hasMessageContaining("full (at capacity (1/1))").hasMessageContaining("d (draining)")
                .satisfies(e -> assertThat(((AllocationRejectedException) e).exclusions()).containsOnlyKeys("full", "d"));
        assertThat(store.findAssignment("dev-1")).isEmpty();
        assertThat(zt.stats().rejections()).isEqualTo(1);
    }

    @Test
    void fillsTheNextInstanceWhenOneIsFull() {
        DpsInstance small = DpsInstance.builder("small").idScope("0ne-s").region("westeurope").capacity(2).build();
        ZeroTouchProvisioning zt = service(small, instance("big", "westeurope")).strategy(Allocators.rendezvous())
                .build();
        for (int i = 0; i < 40; i++) {
            assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-" + i))));
        }
        assertThat(store.assignedCount("small")).isEqualTo(2);
        assertThat(store.assignedCount("big")).isEqualTo(38);
    }

    @Test
    void unknownRegionsAndTenantsAreRefusedAndChangeNothing() {
        ZeroTouchProvisioning zt = service(instance("eu", "westeurope")).build();
        assertThatThrownBy(() -> zt.requestAssignment(new AssignmentRequest(credentials("dev-1"), Optional.of("moon"),
                Optional.empty(), Map.of())))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("moon")
                .hasMessageContaining("westeurope")
                .satisfies(e -> assertThat(((InvalidRequestException) e).problemType()).isEqualTo("unknown-region"));
        assertThatThrownBy(() -> zt.requestAssignment(new AssignmentRequest(credentials("dev-1"), Optional.empty(),
                Optional.of("fabrikam"), Map.of())))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).problemType()).isEqualTo("unknown-tenant"));
        assertThat(store.findAssignment("dev-1")).isEmpty();
    }

    @Test
    void theTenantComesFromTheGroupKeyAndCannotBeContradicted() {
        ZeroTouchProvisioning zt = service(instance("eu", "westeurope")).tenants(java.util.Set.of("contoso", "other"))
                .build();
        AttestationRequest contoso = credentials("dev-c", CONTOSO_KEY, "dev-c",
                clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(assigned(zt.requestAssignment(AssignmentRequest.of(contoso))).assignment().tenant())
                .contains("contoso");
        AttestationRequest contoso2 = credentials("dev-d", CONTOSO_KEY, "dev-d",
                clock.instant().plus(Duration.ofMinutes(5)));
        assertThatThrownBy(() -> zt.requestAssignment(new AssignmentRequest(contoso2, Optional.empty(),
                Optional.of("other"), Map.of()))).isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).problemType()).isEqualTo("tenant-mismatch"));
        assertThat(store.findAssignment("dev-d")).isEmpty();
    }

    @Test
    void badCredentialsAreRefusedAndChangeNothing() {
        ZeroTouchProvisioning zt = service(instance("eu", "westeurope")).build();
        String wrongGroup = Base64.getEncoder().encodeToString("another-group-key-of-32-bytes!!!".getBytes());
        List<AttestationRequest> bad = List.of(
                new AttestationRequest("dev-1", Optional.empty(), List.of()),
                new AttestationRequest("dev-1", Optional.of("SharedAccessSignature sr=x"), List.of()),
                credentials("dev-1", GROUP_KEY, "dev-1", clock.instant().minus(Duration.ofHours(1))),
                credentials("dev-1", GROUP_KEY, "dev-2", clock.instant().plus(Duration.ofMinutes(5))),
                credentials("dev-1", wrongGroup, "dev-1", clock.instant().plus(Duration.ofMinutes(5))));
        for (AttestationRequest credentials : bad) {
            assertThatThrownBy(() -> zt.requestAssignment(AssignmentRequest.of(credentials)))
                    .isInstanceOf(AttestationException.class);
        }
        assertThat(store.findAssignment("dev-1")).isEmpty();
        assertThat(store.assignedCount("eu")).isZero();
    }

    @Test
    void registrationIdsBreakingDpsRulesAreRefusedBeforeAnythingElse() {
        ZeroTouchProvisioning zt = service(instance("eu", "westeurope")).build();
        for (String id : List.of("", "a".repeat(129), "dev/1", "dev 1", "dev.")) {
            AttestationRequest c = new AttestationRequest(id, Optional.of("x"), List.of());
            assertThatThrownBy(() -> zt.requestAssignment(AssignmentRequest.of(c)))
                    .as("id '%s'", id).isInstanceOf(InvalidRequestException.class)
                    .satisfies(e -> assertThat(((InvalidRequestException) e).problemType())
                            .isEqualTo("invalid-registration-id"));
        }
        assertThat(store.assignedCount("eu")).isZero();
    }

    @Test
    void reprovisionMovesADeviceWhenTheStrategyChoosesAnotherInstance() {
        ZeroTouchProvisioning zt = service(instance("a", "westeurope"), instance("b", "westeurope")).build();
        DeviceAssignment first = assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-1"))))
                .assignment();
        String other = first.instanceId().equals("a") ? "b" : "a";
        zt.drain(first.instanceId());
        AssignmentResult.Assigned moved = assigned(zt.reprovision(AssignmentRequest.of(credentials("dev-1"))));
        assertThat(moved.newlyAssigned()).isTrue();
        assertThat(moved.assignment().instanceId()).isEqualTo(other);
        assertThat(store.assignedCount(first.instanceId())).isZero();
        assertThat(store.assignedCount(other)).isEqualTo(1);
        assertThat(zt.lookup("dev-1")).contains(moved.assignment());
    }

    @Test
    void reprovisionKeepsADeviceWhereTheStrategyWantsIt() {
        ZeroTouchProvisioning zt = service(instance("a", "westeurope")).build();
        DeviceAssignment first = assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-1"))))
                .assignment();
        AssignmentResult.Assigned again = assigned(zt.reprovision(AssignmentRequest.of(credentials("dev-1"))));
        assertThat(again.newlyAssigned()).isFalse();
        assertThat(again.assignment()).isEqualTo(first);
        assertThat(store.assignedCount("a")).isEqualTo(1);
    }

    @Test
    void deprovisionFreesTheCountAndForgetsTheDevice() {
        ZeroTouchProvisioning zt = service(instance("a", "westeurope")).build();
        assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-1"))));
        assertThat(zt.lookup("dev-1")).isPresent();
        assertThat(zt.deprovision("DEV-1")).isTrue();
        assertThat(zt.lookup("dev-1")).isEmpty();
        assertThat(store.assignedCount("a")).isZero();
        assertThat(zt.deprovision("dev-1")).isFalse();
        assertThat(assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-1")))).newlyAssigned())
                .isTrue();
    }

    @Test
    void builderRefusesIncompleteConfiguration() {
        assertThatThrownBy(() -> ZeroTouchProvisioning.builder().instance(instance("a", "x")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("attestation");
        assertThatThrownBy(() -> ZeroTouchProvisioning.builder().instance(instance("a", "x"))
                .instance(instance("a", "y"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> service().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no DPS instance");
    }

    @Test
    void instancesReportTheirLoad() {
        ZeroTouchProvisioning zt = service(instance("a", "westeurope")).build();
        assigned(zt.requestAssignment(AssignmentRequest.of(credentials("dev-1"))));
        InstanceStatus s = zt.instances().get(0);
        assertThat(s.assignedCount()).isEqualTo(1);
        assertThat(s.instance().state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(s.rateHeadroom()).isPositive();
    }
}
