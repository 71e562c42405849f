package io.multiscope.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.allocation.Allocators;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipNotFoundException;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.ownership.TransferRequest;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.store.UnknownInstanceException;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.spi.AllocationDecision;
import io.multiscope.spi.AllocationStrategy;
import io.multiscope.spi.InstanceState;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pattern 3 without HTTP: owner look-up, stickiness, transfers, cleanup, the bulk budget and concurrency. */
class RedirectProvisioningTest {

    static final String KEY = Base64.getEncoder().encodeToString("a group key of thirty-two bytes!".getBytes());
    static final String SERVICE_KEY = Base64.getEncoder().encodeToString("service key of thirty-two bytes!".getBytes());

    VirtualClock clock;
    InMemoryInventoryStore store;
    OwnershipRegistry registry;
    RecordingEnrollmentGateway dps;

    @BeforeEach
    void setUp() {
        clock = VirtualClock.create();
        store = new InMemoryInventoryStore(clock);
        registry = store.ownership();
        dps = new RecordingEnrollmentGateway();
    }

    static DpsInstance instance(String id, String owner) {
        return instance(id, owner, DpsInstance.DEFAULT_CAPACITY);
    }

    static DpsInstance instance(String id, String owner, long capacity) {
        return DpsInstance.builder(id).idScope("0ne-" + id).globalEndpoint(id + ".example.net").region("westeurope")
                .tenantPool(owner).capacity(capacity).build();
    }

    static DpsCredentials credentials(String instanceId) {
        return DpsCredentials.builder(instanceId).enrollmentGroup("devices").groupKey(KEY)
                .serviceConnectionString("HostName=" + instanceId + ".example.net;SharedAccessKeyName=owner;"
                        + "SharedAccessKey=" + SERVICE_KEY)
                .build();
    }

    /** The vendor, acme (two instances) and globex, each instance with service credentials. */
    RedirectProvisioning.Builder builder(DpsInstance... instances) {
        RedirectProvisioning.Builder b = RedirectProvisioning.builder().store(store).clock(clock).ticker(clock)
                .sleeper(clock).snapshotInterval(Duration.ZERO).enrollmentGateway(dps);
        List<DpsInstance> all = instances.length > 0 ? List.of(instances) : List.of(instance("vendor-1", "vendor"),
                instance("acme-1", "acme"), instance("acme-2", "acme"), instance("globex-1", "globex"));
        for (DpsInstance i : all) {
            b.instance(i, credentials(i.id()));
        }
        return b;
    }

    RedirectProvisioning service() {
        return builder().build();
    }

    void own(String id, String owner) {
        registry.register(NewOwnership.of(id, owner));
    }

    /** The device as registered on its current instance, so a cleanup has something to delete. */
    RedirectTarget allocateAndRegister(RedirectProvisioning service, String id) {
        RedirectTarget t = service.allocate(id);
        dps.registered.add(t.instanceId() + "/" + id);
        return t;
    }

    long total() {
        return store.assignedCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    // --- allocation -------------------------------------------------------------------------------------------

    @Test
    void theFirstAllocationChoosesOneOfTheOwnersInstancesAndRecordsItInBothPlaces() {
        RedirectProvisioning service = service();
        own("dev-1", "acme");

        RedirectTarget t = service.allocate("DEV-1");

        assertThat(t.registrationId()).isEqualTo("dev-1");
        assertThat(t.owner()).isEqualTo("acme");
        assertThat(t.instanceId()).isIn("acme-1", "acme-2");
        assertThat(t.idScope()).isEqualTo("0ne-" + t.instanceId());
        assertThat(t.globalEndpoint()).isEqualTo(t.instanceId() + ".example.net");
        assertThat(t.newlyAssigned()).isTrue();
        Ownership o = registry.find("dev-1").orElseThrow();
        assertThat(o.activeInstanceId()).contains(t.instanceId());
        DeviceAssignment a = store.findAssignment("dev-1").orElseThrow();
        assertThat(a.instanceId()).isEqualTo(t.instanceId());
        assertThat(a.tenant()).contains("acme");
        assertThat(a.state()).isEqualTo(AssignmentState.ASSIGNED);
        assertThat(store.assignedCount(t.instanceId())).isEqualTo(1);

        // Sticky: the next call finds it, changes nothing, counts nothing.
        RedirectTarget again = service.allocate("dev-1");
        assertThat(again.instanceId()).isEqualTo(t.instanceId());
        assertThat(again.newlyAssigned()).isFalse();
        assertThat(registry.find("dev-1").orElseThrow().version()).isEqualTo(o.version());
        assertThat(store.findAssignment("dev-1").orElseThrow().version()).isEqualTo(a.version());
        assertThat(total()).isEqualTo(1);
    }

    @Test
    void anOwnersDevicesAreSpreadOverItsInstancesAndNeverLandOnAnotherOwners() {
        RedirectProvisioning service = service();
        for (int i = 0; i < 10; i++) {
            own("dev-" + i, "acme");
            service.allocate("dev-" + i);
        }
        assertThat(store.assignedCounts()).containsEntry("acme-1", 5L).containsEntry("acme-2", 5L)
                .containsEntry("vendor-1", 0L).containsEntry("globex-1", 0L);
    }

    @Test
    void fullOrDrainingInstancesTakeNoNewDeviceButKeepTheirOwn() {
        RedirectProvisioning service = builder(instance("acme-1", "acme", 1), instance("acme-2", "acme")).build();
        for (String id : List.of("dev-1", "dev-2", "dev-3")) {
            own(id, "acme");
        }
        assertThat(service.allocate("dev-1").instanceId()).isEqualTo("acme-1");
        assertThat(service.allocate("dev-2").instanceId()).isEqualTo("acme-2");
        store.setInstanceState("acme-2", InstanceState.DRAINING);

        assertThatThrownBy(() -> service.allocate("dev-3")).isInstanceOf(AllocationRejectedException.class)
                .hasMessageContaining("acme-1").hasMessageContaining("acme-2")
                .satisfies(e -> assertThat(((AllocationRejectedException) e).exclusions())
                        .containsKeys("acme-1", "acme-2"));
        assertThat(registry.find("dev-3").orElseThrow().activeInstanceId()).isEmpty();
        assertThat(store.findAssignment("dev-3")).isEmpty();

        assertThat(service.allocate("dev-2").instanceId()).isEqualTo("acme-2");
        assertThat(total()).isEqualTo(2);
    }

    @Test
    void unknownDevicesAreRefusedUnlessADefaultOwnerIsConfigured() {
        RedirectProvisioning strict = service();
        assertThatThrownBy(() -> strict.allocate("stranger-1")).isInstanceOf(OwnershipNotFoundException.class)
                .hasMessageContaining("stranger-1");
        assertThat(registry.find("stranger-1")).isEmpty();
        assertThat(total()).isZero();

        RedirectProvisioning lenient = builder().unknownDevicesOwnedBy("vendor").build();
        RedirectTarget t = lenient.allocate("stranger-1");
        assertThat(t.owner()).isEqualTo("vendor");
        assertThat(t.instanceId()).isEqualTo("vendor-1");
        assertThat(registry.find("stranger-1").orElseThrow().owner()).isEqualTo("vendor");
    }

    @Test
    void malformedRegistrationIdsAreRefusedBeforeAnyLookup() {
        RedirectProvisioning service = builder().unknownDevicesOwnedBy("vendor").build();
        for (String bad : List.of("", "has space", "ends-with.", "x".repeat(129))) {
            assertThatThrownBy(() -> service.allocate(bad)).as(bad).isInstanceOf(InvalidRequestException.class);
            assertThatThrownBy(() -> service.transfer(bad, "acme", "alice")).isInstanceOf(
                    InvalidRequestException.class);
        }
        assertThat(total()).isZero();
    }

    @Test
    void aDeviceComingToTheFactoryClearsItsReprovisioningMark() {
        RedirectProvisioning service = service();
        own("dev-1", "acme");
        service.allocate("dev-1");
        service.transfer("dev-1", "globex", "alice");
        assertThat(store.findAssignment("dev-1").orElseThrow().state())
                .isEqualTo(AssignmentState.REPROVISION_PENDING);

        RedirectTarget t = service.allocate("dev-1");

        assertThat(t.instanceId()).isEqualTo("globex-1");
        assertThat(t.newlyAssigned()).isFalse();
        assertThat(store.findAssignment("dev-1").orElseThrow().state()).isEqualTo(AssignmentState.ASSIGNED);
    }

    // --- staging hub ------------------------------------------------------------------------------------------

    @Test
    void theStagingHubIsThePreferredOneThenTheCurrentOneThenAStableHash() {
        RedirectProvisioning service = service();
        List<String> hubs = List.of("stage-a.azure-devices.net", "stage-b.azure-devices.net",
                "stage-c.azure-devices.net");
        String hashed = service.stagingHub("dev-1", hubs, Optional.empty());
        assertThat(hubs).contains(hashed);
        // The same on every call, whatever order or case DPS lists the hubs in.
        assertThat(service.stagingHub("DEV-1", List.of("STAGE-C.azure-devices.net", "stage-b.azure-devices.net",
                "stage-a.azure-devices.net"), Optional.empty())).isEqualToIgnoringCase(hashed);
        assertThat(service.stagingHub("dev-1", hubs, Optional.of("stage-b.azure-devices.net")))
                .isEqualTo("stage-b.azure-devices.net");
        assertThat(service.stagingHub("dev-1", hubs, Optional.of("gone.azure-devices.net"))).isEqualTo(hashed);
        Set<String> used = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            used.add(service.stagingHub("dev-" + i, hubs, Optional.empty()));
        }
        assertThat(used).containsExactlyInAnyOrderElementsOf(hubs);

        RedirectProvisioning preferring = builder().preferredStagingHub("stage-c.azure-devices.net").build();
        assertThat(preferring.stagingHub("dev-1", hubs, Optional.of("stage-b.azure-devices.net")))
                .isEqualTo("stage-c.azure-devices.net");
        assertThat(preferring.stagingHub("dev-1", hubs.subList(0, 2), Optional.of("stage-b.azure-devices.net")))
                .isEqualTo("stage-b.azure-devices.net");

        assertThatThrownBy(() -> service.stagingHub("dev-1", List.of(), Optional.empty()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no linked IoT hub");
    }

    // --- transfer ---------------------------------------------------------------------------------------------

    @Test
    void aTransferIsRecordedMovesTheCountMarksTheDeviceAndDeletesItsOldRegistration() {
        RedirectProvisioning service = service();
        own("dev-1", "acme");
        String from = allocateAndRegister(service, "dev-1").instanceId();
        clock.advance(Duration.ofHours(1));

        TransferResult r = service.transfer("Dev-1", "globex", "alice");

        assertThat(r.status()).isEqualTo(TransferResult.Status.TRANSFERRED);
        assertThat(r.previousOwner()).contains("acme");
        assertThat(r.fromInstanceId()).contains(from);
        assertThat(r.toInstanceId()).contains("globex-1");
        assertThat(r.cleanup()).contains(new RegistrationCleanup("dev-1", from, RegistrationCleanup.Status.DELETED,
                Optional.empty()));
        Ownership o = registry.find("dev-1").orElseThrow();
        assertThat(o.owner()).isEqualTo("globex");
        assertThat(o.activeInstanceId()).contains("globex-1");
        assertThat(service.history("dev-1")).containsExactly(new OwnershipTransfer("dev-1", 1, "acme", "globex",
                Optional.of(from), Optional.of("globex-1"), "alice", clock.instant()));
        DeviceAssignment a = store.findAssignment("dev-1").orElseThrow();
        assertThat(a.instanceId()).isEqualTo("globex-1");
        assertThat(a.tenant()).contains("globex");
        assertThat(a.state()).isEqualTo(AssignmentState.REPROVISION_PENDING);
        assertThat(store.assignedCount(from)).isZero();
        assertThat(store.assignedCount("globex-1")).isEqualTo(1);
        assertThat(dps.deletes).containsExactly(from + "/dev-1");

        // Repeating it is harmless.
        TransferResult again = service.transfer("dev-1", "globex", "alice");
        assertThat(again.status()).isEqualTo(TransferResult.Status.ALREADY_OWNED);
        assertThat(again.cleanup()).isEmpty();
        assertThat(service.history("dev-1")).hasSize(1);
        assertThat(registry.find("dev-1").orElseThrow().version()).isEqualTo(o.version());
        assertThat(dps.deletes).hasSize(1);
    }

    @Test
    void aTransferThatBreaksARuleChangesNothing() {
        RedirectProvisioning service = service();
        own("dev-1", "acme");
        service.allocate("dev-1");
        Ownership before = registry.find("dev-1").orElseThrow();
        DeviceAssignment assignmentBefore = store.findAssignment("dev-1").orElseThrow();

        assertThatThrownBy(() -> service.transfer("dev-1", "initech", "alice"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("initech")
                .extracting(e -> ((InvalidRequestException) e).problemType()).isEqualTo("unknown-owner");
        assertThatThrownBy(() -> service.transfer("dev-1", "bad owner", "alice"))
                .isInstanceOf(InvalidRequestException.class)
                .extracting(e -> ((InvalidRequestException) e).problemType()).isEqualTo("invalid-owner");
        for (String actor : new String[] {null, "", " ", "line\nbreak", "a".repeat(129)}) {
            assertThatThrownBy(() -> service.transfer("dev-1", "globex", actor)).as(String.valueOf(actor))
                    .isInstanceOf(InvalidRequestException.class)
                    .extracting(e -> ((InvalidRequestException) e).problemType()).isEqualTo("invalid-actor");
        }
        assertThatThrownBy(() -> service.transfer("ghost-1", "globex", "alice"))
                .isInstanceOf(OwnershipNotFoundException.class);

        assertThat(registry.find("dev-1").orElseThrow()).isEqualTo(before);
        assertThat(service.history("dev-1")).isEmpty();
        assertThat(store.findAssignment("dev-1").orElseThrow()).isEqualTo(assignmentBefore);
        assertThat(registry.find("ghost-1")).isEmpty();
        assertThat(dps.deletes).isEmpty();
    }

    @Test
    void whenNoneOfTheNewOwnersInstancesCanTakeTheDeviceNothingChanges() {
        RedirectProvisioning service = builder(instance("acme-1", "acme"), instance("globex-1", "globex", 1))
                .build();
        own("dev-1", "acme");
        own("dev-9", "globex");
        service.allocate("dev-1");
        service.allocate("dev-9");
        Ownership before = registry.find("dev-1").orElseThrow();

        assertThatThrownBy(() -> service.transfer("dev-1", "globex", "alice"))
                .isInstanceOf(AllocationRejectedException.class).hasMessageContaining("globex-1");

        assertThat(registry.find("dev-1").orElseThrow()).isEqualTo(before);
        assertThat(service.history("dev-1")).isEmpty();
        assertThat(store.assignedCounts()).containsEntry("acme-1", 1L).containsEntry("globex-1", 1L);
        assertThat(dps.deletes).isEmpty();
    }

    @Test
    void aDeviceNeverPlacedIsTransferredWithoutAnInstanceAndPlacedOnItsFirstAllocation() {
        RedirectProvisioning service = service();
        own("dev-1", "vendor");

        TransferResult r = service.transfer("dev-1", "acme", "alice");

        assertThat(r.status()).isEqualTo(TransferResult.Status.TRANSFERRED);
        assertThat(r.toInstanceId()).isEmpty();
        assertThat(r.cleanup()).isEmpty();
        assertThat(store.findAssignment("dev-1")).isEmpty();
        assertThat(service.history("dev-1")).singleElement()
                .satisfies(t -> assertThat(t.toInstanceId()).isEmpty());
        RedirectTarget t = service.allocate("dev-1");
        assertThat(t.owner()).isEqualTo("acme");
        assertThat(t.instanceId()).startsWith("acme-");
        assertThat(t.newlyAssigned()).isTrue();
    }

    @Test
    void aFailedCleanupLeavesTheTransferStandingAndCanBeRetried() {
        RedirectProvisioning service = service();
        own("dev-1", "vendor");
        allocateAndRegister(service, "dev-1");
        dps.failNext(1, 401);

        TransferResult r = service.transfer("dev-1", "globex", "alice");

        assertThat(r.status()).isEqualTo(TransferResult.Status.TRANSFERRED);
        assertThat(r.isCleanupPending()).isTrue();
        assertThat(r.cleanup().orElseThrow().detail().orElseThrow()).contains("401");
        assertThat(registry.find("dev-1").orElseThrow().owner()).isEqualTo("globex");
        assertThat(service.pendingCleanups()).extracting(RegistrationCleanup::instanceId).containsExactly("vendor-1");

        // Never at the instance the device belongs on now, nor at one nobody knows.
        assertThatThrownBy(() -> service.retryCleanup("dev-1", "globex-1"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("globex-1");
        assertThatThrownBy(() -> service.retryCleanup("dev-1", "nowhere"))
                .isInstanceOf(UnknownInstanceException.class);
        assertThat(dps.deletes).containsExactly("vendor-1/dev-1");

        RegistrationCleanup done = service.retryCleanup("dev-1", "vendor-1");
        assertThat(done.status()).isEqualTo(RegistrationCleanup.Status.DELETED);
        assertThat(service.pendingCleanups()).isEmpty();
        assertThat(service.retryCleanup("dev-1", "vendor-1").status())
                .isEqualTo(RegistrationCleanup.Status.NOT_FOUND);
    }

    @Test
    void transientCleanupFailuresAreRetriedInVirtualTime() {
        RedirectProvisioning service = service();
        own("dev-1", "vendor");
        allocateAndRegister(service, "dev-1");
        dps.failNext(2, 503);
        var start = clock.instant();

        TransferResult r = service.transfer("dev-1", "globex", "alice");

        assertThat(r.cleanup().orElseThrow().status()).isEqualTo(RegistrationCleanup.Status.DELETED);
        assertThat(dps.deletes).hasSize(3);
        assertThat(Duration.between(start, clock.instant())).isPositive().isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void retryPendingCleanupsFinishesWhatFailedAndDropsWhatCameBack() {
        RedirectProvisioning service = service();
        for (String id : List.of("dev-1", "dev-2")) {
            own(id, "vendor");
            allocateAndRegister(service, id);
        }
        dps.failNext(2, 401);
        service.transferAll(List.of("dev-1", "dev-2"), "globex", "alice");
        assertThat(service.pendingCleanups()).hasSize(2);
        // dev-2 goes back to the vendor: its registration there is the live one again.
        service.transfer("dev-2", "vendor", "alice");

        List<RegistrationCleanup> outcomes = service.retryPendingCleanups();

        assertThat(outcomes).extracting(RegistrationCleanup::registrationId, RegistrationCleanup::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("dev-1", RegistrationCleanup.Status.DELETED));
        assertThat(service.pendingCleanups()).isEmpty();
        assertThat(dps.registered).contains("vendor-1/dev-2");
    }

    @Test
    void instancesWithoutServiceCredentialsKeepTheirRegistrations() {
        RedirectProvisioning service = RedirectProvisioning.builder().store(store).clock(clock).ticker(clock)
                .sleeper(clock).snapshotInterval(Duration.ZERO).enrollmentGateway(dps)
                .instance(instance("vendor-1", "vendor")).instance(instance("acme-1", "acme")).build();
        own("dev-1", "vendor");
        service.allocate("dev-1");

        TransferResult r = service.transfer("dev-1", "acme", "alice");

        assertThat(r.cleanup().orElseThrow().status()).isEqualTo(RegistrationCleanup.Status.NOT_CONFIGURED);
        assertThat(r.isCleanupPending()).isFalse();
        assertThat(dps.deletes).isEmpty();
    }

    @Test
    void aTransferInterruptedAfterTheRegistryWriteIsCompletedLater() {
        RedirectProvisioning service = service();
        for (String id : List.of("dev-1", "dev-2")) {
            own(id, "vendor");
            allocateAndRegister(service, id);
            // What a node that died between the two writes leaves behind: the registry moved, the inventory did not.
            Ownership o = registry.find(id).orElseThrow();
            registry.transfer(new TransferRequest(id, o.version(), "globex", Optional.of("globex-1"), "alice"));
        }
        assertThat(store.assignedCount("vendor-1")).isEqualTo(2);

        // Repeating the transfer completes it, including the cleanup.
        TransferResult r = service.transfer("dev-1", "globex", "alice");
        assertThat(r.status()).isEqualTo(TransferResult.Status.ALREADY_OWNED);
        assertThat(r.cleanup().orElseThrow().status()).isEqualTo(RegistrationCleanup.Status.DELETED);
        assertThat(store.findAssignment("dev-1").orElseThrow().instanceId()).isEqualTo("globex-1");

        // The device coming to the factory completes it too; its cleanup waits for retryPendingCleanups.
        assertThat(service.allocate("dev-2").instanceId()).isEqualTo("globex-1");
        assertThat(store.assignedCounts()).containsEntry("vendor-1", 0L).containsEntry("globex-1", 2L);
        assertThat(service.pendingCleanups()).extracting(RegistrationCleanup::registrationId).containsExactly("dev-2");
        assertThat(service.retryPendingCleanups()).extracting(RegistrationCleanup::status)
                .containsExactly(RegistrationCleanup.Status.DELETED);
        assertThat(service.history("dev-1")).hasSize(1);
    }

    // --- bulk -------------------------------------------------------------------------------------------------

    @Test
    void bulkTransfersKeepToTheirBudgetInVirtualTime() {
        RedirectProvisioning service = builder().transfersPerMinute(60).build();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add("dev-" + i);
            own("dev-" + i, "acme");
            service.allocate("dev-" + i);
        }
        var start = clock.instant();

        TransferReport report = service.transferAll(ids, "globex", "job-7");

        assertThat(report.count(TransferResult.Status.TRANSFERRED)).isEqualTo(10);
        // One transfer may start at once, then one a second.
        Duration took = Duration.between(start, clock.instant());
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(9)).isLessThan(Duration.ofSeconds(10));
        for (int i = 1; i < ids.size(); i++) {
            Duration gap = Duration.between(service.history(ids.get(i - 1)).get(0).at(),
                    service.history(ids.get(i)).get(0).at());
            assertThat(gap).as("gap before %s", ids.get(i)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(store.assignedCounts()).containsEntry("acme-1", 0L).containsEntry("acme-2", 0L)
                .containsEntry("globex-1", 10L);

        // Devices that need no transfer cost no budget.
        var later = clock.instant();
        TransferReport repeat = service.transferAll(ids, "globex", "job-7");
        assertThat(repeat.count(TransferResult.Status.ALREADY_OWNED)).isEqualTo(10);
        assertThat(clock.instant()).isEqualTo(later);
    }

    @Test
    void aBulkTransferReportsEachDevice() {
        AllocationStrategy picky = (request, candidates) -> request.registrationId().equals("dev-bad")
                && request.tenant().equals(Optional.of("globex"))
                ? AllocationDecision.reject("no room for this one") : Allocators.leastUtilised()
                .allocate(request, candidates);
        RedirectProvisioning service = builder().strategy(picky).build();
        own("dev-1", "acme");
        own("dev-2", "globex");
        own("dev-bad", "acme");
        for (String id : List.of("dev-1", "dev-2", "dev-bad")) {
            service.allocate(id);
        }

        TransferReport report = service.transferAll(List.of("dev-1", "DEV-1", "dev-2", "ghost", "dev-bad"),
                "globex", "job-8");

        assertThat(report.newOwner()).isEqualTo("globex");
        assertThat(report.results()).extracting(TransferResult::registrationId, TransferResult::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("dev-1", TransferResult.Status.TRANSFERRED),
                        org.assertj.core.groups.Tuple.tuple("dev-2", TransferResult.Status.ALREADY_OWNED),
                        org.assertj.core.groups.Tuple.tuple("ghost", TransferResult.Status.UNKNOWN_DEVICE),
                        org.assertj.core.groups.Tuple.tuple("dev-bad", TransferResult.Status.FAILED));
        assertThat(report.results().get(3).reason().orElseThrow()).contains("no room for this one");
        assertThat(registry.find("dev-bad").orElseThrow().owner()).isEqualTo("acme");
        assertThat(service.history("dev-bad")).isEmpty();
        assertThat(registry.find("ghost")).isEmpty();
    }

    @Test
    void aBulkTransferWithABadIdOrOwnerChangesNothing() {
        RedirectProvisioning service = service();
        own("dev-1", "acme");
        service.allocate("dev-1");
        Ownership before = registry.find("dev-1").orElseThrow();

        assertThatThrownBy(() -> service.transferAll(List.of("dev-1", "bad id"), "globex", "job"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("#1");
        assertThatThrownBy(() -> service.transferAll(List.of(), "globex", "job"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> service.transferAll(List.of("dev-1"), "initech", "job"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("initech");

        assertThat(registry.find("dev-1").orElseThrow()).isEqualTo(before);
    }

    // --- concurrency ------------------------------------------------------------------------------------------

    static <T> List<T> runConcurrently(int threads, IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return task.apply(n);
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(1, TimeUnit.MINUTES));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentFirstAllocationsOfOneDeviceMakeOneAssignment() throws Exception {
        // A strategy that disagrees with itself, so the racing requests try to place the device differently.
        AllocationStrategy random = (request, candidates) -> AllocationDecision.assign(
                candidates.get(ThreadLocalRandom.current().nextInt(candidates.size())).id());
        RedirectProvisioning service = builder().strategy(random).build();
        own("dev-1", "acme");

        List<RedirectTarget> targets = runConcurrently(32, n -> service.allocate("dev-1"));

        String instance = targets.get(0).instanceId();
        assertThat(targets).allSatisfy(t -> assertThat(t.instanceId()).isEqualTo(instance));
        assertThat(targets.stream().filter(RedirectTarget::newlyAssigned).count()).isEqualTo(1);
        assertThat(total()).isEqualTo(1);
        assertThat(store.assignedCount(instance)).isEqualTo(1);
        assertThat(registry.find("dev-1").orElseThrow().activeInstanceId()).contains(instance);
    }

    @Test
    void concurrentTransfersOfOneDeviceToOneOwnerRecordOneTransfer() throws Exception {
        RedirectProvisioning service = service();
        own("dev-1", "acme");
        String from = allocateAndRegister(service, "dev-1").instanceId();

        List<TransferResult> results = runConcurrently(32, n -> service.transfer("dev-1", "globex", "admin-" + n));

        assertThat(results.stream().filter(r -> r.status() == TransferResult.Status.TRANSFERRED).count())
                .isEqualTo(1);
        assertThat(results).allSatisfy(r -> assertThat(r.status()).isIn(TransferResult.Status.TRANSFERRED,
                TransferResult.Status.ALREADY_OWNED));
        assertThat(service.history("dev-1")).hasSize(1);
        assertThat(store.assignedCounts()).containsEntry(from, 0L).containsEntry("globex-1", 1L);
        assertThat(total()).isEqualTo(1);
        assertThat(store.findAssignment("dev-1").orElseThrow().state())
                .isEqualTo(AssignmentState.REPROVISION_PENDING);
        assertThat(dps.deletes).isNotEmpty().containsOnly(from + "/dev-1");
        assertThat(dps.registered).isEmpty();
    }

    @Test
    void concurrentTransfersBetweenOwnersLeaveOneConsistentPlacement() throws Exception {
        RedirectProvisioning service = service();
        own("dev-1", "acme");
        service.allocate("dev-1");

        List<TransferResult> results = runConcurrently(32, n -> service.transfer("dev-1",
                n % 2 == 0 ? "globex" : "vendor", "admin-" + n));

        List<OwnershipTransfer> history = service.history("dev-1");
        assertThat(history).hasSize((int) results.stream()
                .filter(r -> r.status() == TransferResult.Status.TRANSFERRED).count());
        String owner = "acme";
        for (OwnershipTransfer t : history) {
            assertThat(t.fromOwner()).isEqualTo(owner);
            owner = t.toOwner();
        }
        Ownership o = registry.find("dev-1").orElseThrow();
        assertThat(o.owner()).isEqualTo(owner);
        DeviceAssignment a = store.findAssignment("dev-1").orElseThrow();
        assertThat(o.activeInstanceId()).contains(a.instanceId());
        assertThat(store.findInstance(a.instanceId()).orElseThrow().tenantPool()).contains(owner);
        assertThat(a.tenant()).contains(owner);
        assertThat(total()).isEqualTo(1);
    }

    // --- configuration ----------------------------------------------------------------------------------------

    @Test
    void theBuilderRefusesIncompleteOrContradictoryConfiguration() {
        DpsInstance shared = DpsInstance.builder("shared").idScope("0ne-s").region("westeurope").build();
        assertThatThrownBy(() -> RedirectProvisioning.builder().instance(shared))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenantPool");
        assertThatThrownBy(() -> RedirectProvisioning.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no DPS instance");
        assertThatThrownBy(() -> RedirectProvisioning.builder().instance(instance("a", "acme"))
                .instance(instance("a", "acme"))).hasMessageContaining("twice");
        assertThatThrownBy(() -> RedirectProvisioning.builder().instance(instance("a", "acme"), credentials("b")))
                .hasMessageContaining("made for instance 'b'");
        assertThatThrownBy(() -> RedirectProvisioning.builder().instance(instance("a", "acme"))
                .unknownDevicesOwnedBy("vendor").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("vendor");
        assertThatThrownBy(() -> RedirectProvisioning.builder().unknownDevicesOwnedBy("not valid"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedirectProvisioning.builder().transfersPerMinute(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedirectProvisioning.builder().preferredStagingHub(" "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedirectProvisioning.builder().instance(instance("a", "acme"))
                .store(withoutOwnership(store)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ownership registry");
        assertThat(RedirectProvisioning.builder().instance(instance("a", "acme")).build().transfersPerMinute())
                .isEqualTo(RedirectProvisioning.DEFAULT_TRANSFERS_PER_MINUTE);
    }

    @Test
    void instancesTheStoreAlreadyKnowsAreServedToo() {
        store.upsertInstance(instance("initech-1", "initech"));
        RedirectProvisioning service = service();
        assertThat(service.owners()).containsExactly("acme", "globex", "initech", "vendor");
        own("dev-1", "acme");
        service.allocate("dev-1");
        assertThat(service.transfer("dev-1", "initech", "alice").toInstanceId()).contains("initech-1");
    }

    /** A store like {@code delegate} that keeps no ownership registry (the interface's default). */
    static InventoryStore withoutOwnership(InventoryStore delegate) {
        InvocationHandler h = (proxy, method, args) -> method.isDefault()
                ? InvocationHandler.invokeDefault(proxy, method, args) : method.invoke(delegate, args);
        return (InventoryStore) Proxy.newProxyInstance(InventoryStore.class.getClassLoader(),
                new Class<?>[] {InventoryStore.class}, h);
    }
}
