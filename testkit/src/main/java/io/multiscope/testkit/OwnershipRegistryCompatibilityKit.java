package io.multiscope.testkit;

import static io.multiscope.testkit.InventoryStoreCompatibilityKit.runConcurrently;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.ownership.ClaimCode;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipNotFoundException;
import io.multiscope.core.ownership.OwnershipOutcome;
import io.multiscope.core.ownership.OwnershipPage;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.ownership.TransferRequest;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.time.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link OwnershipRegistry} must meet. Extend it in your registry's test and implement
 * {@link #createRegistry(VirtualClock)}:
 *
 * <pre>{@code
 * class MyRegistryTest extends OwnershipRegistryCompatibilityKit {
 *     protected OwnershipRegistry createRegistry(VirtualClock clock) { return new MyStore(db, clock).ownership(); }
 * }
 * }</pre>
 *
 * Each test gets a new, empty registry from {@link #createRegistry}; {@link #closeRegistry} runs after it.
 */
public abstract class OwnershipRegistryCompatibilityKit {

    protected static final String VENDOR = "vendor";
    protected static final String CONTOSO = "contoso";
    protected static final String FABRIKAM = "fabrikam";
    protected static final String HASH = "scrypt$16384$8$1$c2FsdA==$aGFzaA==";

    protected OwnershipRegistry registry;
    protected VirtualClock clock;

    /** Returns a new registry holding no devices, stamping records and transfers with {@code clock}. */
    protected abstract OwnershipRegistry createRegistry(VirtualClock clock);

    /** Called after every test, to release what {@link #createRegistry} opened; does nothing by default. */
    protected void closeRegistry(OwnershipRegistry registry) {
    }

    /** Threads writing concurrently in the contention tests. */
    protected int contentionThreads() {
        return 16;
    }

    @BeforeEach
    void createEmptyRegistry() {
        clock = VirtualClock.create();
        registry = createRegistry(clock);
    }

    @AfterEach
    void closeRegistryAfterTest() {
        if (registry != null) {
            closeRegistry(registry);
        }
    }

    /** The clock's time as the registry keeps it. */
    protected Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    protected Ownership registered(String registrationId, String owner) {
        return registered(NewOwnership.of(registrationId, owner));
    }

    protected Ownership registered(NewOwnership device) {
        OwnershipOutcome outcome = registry.register(device);
        assertThat(outcome).as("register %s", device.registrationId()).isInstanceOf(OwnershipOutcome.Created.class);
        return outcome.ownership();
    }

    protected Ownership transferred(Ownership current, String newOwner, String newInstance, String actor) {
        return registry.transfer(new TransferRequest(current.registrationId(), current.version(), newOwner,
                Optional.ofNullable(newInstance), actor));
    }

    /** Every device of {@code owner}, paging with {@code limit}; checks each page's shape on the way. */
    protected List<Ownership> allOwnedBy(String owner, int limit) {
        List<Ownership> all = new ArrayList<>();
        Optional<String> after = Optional.empty();
        do {
            OwnershipPage page = registry.ownedBy(owner, after, limit);
            assertThat(page.items().size()).as("page size").isLessThanOrEqualTo(limit);
            if (page.next().isPresent()) {
                assertThat(page.items()).as("a page with a next page is full").hasSize(limit);
                assertThat(page.next().get()).isEqualTo(page.items().get(limit - 1).registrationId());
            }
            all.addAll(page.items());
            after = page.next();
        } while (after.isPresent());
        return all;
    }

    protected List<String> idsOwnedBy(String owner) {
        return allOwnedBy(owner, 10_000).stream().map(Ownership::registrationId).toList();
    }

    @Nested
    class Register {

        @Test
        void registerCreatesVersionOneStampedByTheClock() {
            clock.advance(Duration.ofSeconds(5));
            ClaimCode claim = ClaimCode.unused(HASH, Instant.parse("2026-02-01T00:00:00Z"));
            OwnershipOutcome outcome = registry.register(new NewOwnership("dev-1", VENDOR, Optional.of("dps-factory"),
                    Optional.of(claim)));
            assertThat(outcome).isInstanceOf(OwnershipOutcome.Created.class);
            Ownership o = outcome.ownership();
            assertThat(o.registrationId()).isEqualTo("dev-1");
            assertThat(o.owner()).isEqualTo(VENDOR);
            assertThat(o.activeInstanceId()).contains("dps-factory");
            assertThat(o.claim()).contains(claim);
            assertThat(o.version()).isEqualTo(1);
            assertThat(o.createdAt()).isEqualTo(now());
            assertThat(o.updatedAt()).isEqualTo(now());
            assertThat(registry.find("dev-1")).contains(o);
            assertThat(registry.history("dev-1")).isEmpty();
            assertThat(registry.ownedBy(VENDOR, Optional.empty(), 10).items()).containsExactly(o);
        }

        @Test
        void aDeviceWithoutInstanceOrClaimIsStoredWithout() {
            Ownership o = registered("dev-1", VENDOR);
            assertThat(o.activeInstanceId()).isEmpty();
            assertThat(o.claim()).isEmpty();
            assertThat(registry.find("dev-1")).contains(o);
        }

        @Test
        void registeringAgainReturnsTheStoredRecordUnchanged() {
            Ownership first = registered("dev-1", VENDOR);
            clock.advance(Duration.ofMinutes(1));
            OwnershipOutcome again = registry.register(new NewOwnership("dev-1", CONTOSO, Optional.of("dps-b"),
                    Optional.of(ClaimCode.unused(HASH, Instant.parse("2027-01-01T00:00:00Z")))));
            assertThat(again).isEqualTo(new OwnershipOutcome.Existing(first));
            assertThat(registry.find("dev-1")).contains(first);
            assertThat(registry.ownedBy(CONTOSO, Optional.empty(), 10).items()).isEmpty();
        }

        @Test
        void registeringAChangedDeviceReturnsItsCurrentRecord() {
            Ownership first = registered("dev-1", VENDOR);
            Ownership v2 = registry.update(first.withActiveInstance("dps-a"));
            Ownership v3 = transferred(v2, CONTOSO, "dps-c", "admin");
            assertThat(registry.register(NewOwnership.of("dev-1", VENDOR)))
                    .isEqualTo(new OwnershipOutcome.Existing(v3));
            assertThat(registry.history("dev-1")).hasSize(1);
        }

        @Test
        void concurrentRegistrationsOfOneDeviceCreateOneRecord() throws Exception {
            List<Ownership> created = new CopyOnWriteArrayList<>();
            List<Ownership> existing = new CopyOnWriteArrayList<>();
            runConcurrently(contentionThreads(), t -> {
                OwnershipOutcome o = registry.register(new NewOwnership("dev-1", "owner-" + t,
                        Optional.of("dps-" + t), Optional.empty()));
                (o instanceof OwnershipOutcome.Created ? created : existing).add(o.ownership());
            });
            assertThat(created).hasSize(1);
            Ownership winner = created.get(0);
            assertThat(existing).hasSize(contentionThreads() - 1).allSatisfy(e -> assertThat(e).isEqualTo(winner));
            assertThat(registry.find("dev-1")).contains(winner);
            assertThat(winner.activeInstanceId()).contains("dps-" + winner.owner().substring("owner-".length()));
            for (int t = 0; t < contentionThreads(); t++) {
                String owner = "owner-" + t;
                assertThat(registry.ownedBy(owner, Optional.empty(), 10).items()).as(owner)
                        .hasSize(owner.equals(winner.owner()) ? 1 : 0);
            }
        }

        @Test
        void overlappingRegistrationsOfManyDevicesCreateEachOnce() throws Exception {
            int devices = 300;
            AtomicInteger created = new AtomicInteger();
            runConcurrently(contentionThreads(), t -> {
                for (int i = 0; i < devices; i++) {
                    int d = (i + t * 37) % devices;
                    if (registry.register(NewOwnership.of(String.format("dev-%04d", d), d % 2 == 0 ? CONTOSO
                            : FABRIKAM)) instanceof OwnershipOutcome.Created) {
                        created.incrementAndGet();
                    }
                }
            });
            assertThat(created).hasValue(devices);
            assertThat(idsOwnedBy(CONTOSO)).hasSize(devices / 2).isSorted().doesNotHaveDuplicates();
            assertThat(idsOwnedBy(FABRIKAM)).hasSize(devices / 2).isSorted().doesNotHaveDuplicates();
        }

        @Test
        void aRemovedDeviceCanBeRegisteredAgainWithAFreshHistory() {
            Ownership first = registered("dev-1", VENDOR);
            Ownership moved = transferred(first, CONTOSO, null, "admin");
            assertThat(registry.remove("dev-1", moved.version())).isTrue();
            clock.advance(Duration.ofHours(1));
            Ownership again = registered("dev-1", FABRIKAM);
            assertThat(again.version()).isEqualTo(1);
            assertThat(again.owner()).isEqualTo(FABRIKAM);
            assertThat(again.createdAt()).isEqualTo(now());
            assertThat(registry.history("dev-1")).isEmpty();
            Ownership next = transferred(again, CONTOSO, null, "admin");
            assertThat(registry.history("dev-1")).singleElement()
                    .satisfies(h -> assertThat(h.sequence()).isEqualTo(1))
                    .satisfies(h -> assertThat(h.fromOwner()).isEqualTo(FABRIKAM));
            assertThat(next.version()).isEqualTo(2);
        }
    }

    @Nested
    class Find {

        @Test
        void anUnknownDeviceIsEmpty() {
            registered("dev-1", VENDOR);
            assertThat(registry.find("dev-2")).isEmpty();
            assertThat(registry.find("dev-10")).isEmpty();
        }

        @Test
        void eachDeviceHasItsOwnRecord() {
            Ownership a = registered(new NewOwnership("dev-a", CONTOSO, Optional.of("dps-a"), Optional.empty()));
            clock.advance(Duration.ofSeconds(1));
            Ownership b = registered(new NewOwnership("dev-b", FABRIKAM, Optional.empty(),
                    Optional.of(ClaimCode.unused(HASH, Instant.parse("2026-03-01T12:00:00Z")))));
            assertThat(registry.find("dev-a")).contains(a);
            assertThat(registry.find("dev-b")).contains(b);
            assertThat(a.createdAt()).isBefore(b.createdAt());
        }
    }

    @Nested
    class Update {

        @Test
        void updateStoresInstanceAndClaimAndBumpsTheVersion() {
            Ownership v1 = registered("dev-1", VENDOR);
            clock.advance(Duration.ofMinutes(3));
            ClaimCode claim = ClaimCode.unused(HASH, Instant.parse("2026-01-02T00:00:00Z"));
            Ownership v2 = registry.update(v1.withActiveInstance("dps-b").withClaim(claim));
            assertThat(v2.version()).isEqualTo(2);
            assertThat(v2.owner()).isEqualTo(VENDOR);
            assertThat(v2.activeInstanceId()).contains("dps-b");
            assertThat(v2.claim()).contains(claim);
            assertThat(v2.createdAt()).isEqualTo(v1.createdAt());
            assertThat(v2.updatedAt()).isEqualTo(now()).isAfter(v1.updatedAt());
            assertThat(registry.find("dev-1")).contains(v2);
            assertThat(registry.history("dev-1")).as("an update is not a transfer").isEmpty();
        }

        @Test
        void updateCanClearTheInstanceAndTheClaim() {
            Ownership v1 = registered(new NewOwnership("dev-1", VENDOR, Optional.of("dps-a"),
                    Optional.of(ClaimCode.unused(HASH, Instant.parse("2026-01-02T00:00:00Z")))));
            Ownership v2 = registry.update(new Ownership("dev-1", VENDOR, Optional.empty(), Optional.empty(),
                    v1.version(), v1.createdAt(), v1.updatedAt()));
            assertThat(v2.activeInstanceId()).isEmpty();
            assertThat(v2.claim()).isEmpty();
            assertThat(registry.find("dev-1")).contains(v2);
        }

        @Test
        void theRecordsTimesAreTheRegistrysNotTheCallers() {
            Ownership v1 = registered("dev-1", VENDOR);
            clock.advance(Duration.ofSeconds(30));
            Ownership forged = new Ownership("dev-1", VENDOR, Optional.of("dps-a"), Optional.empty(), v1.version(),
                    Instant.parse("2001-01-01T00:00:00Z"), Instant.parse("2001-01-01T00:00:00Z"));
            Ownership v2 = registry.update(forged);
            assertThat(v2.createdAt()).isEqualTo(v1.createdAt());
            assertThat(v2.updatedAt()).isEqualTo(now());
            assertThat(registry.find("dev-1")).contains(v2);
        }

        @Test
        void aStaleVersionIsRefusedAndChangesNothing() {
            Ownership v1 = registered("dev-1", VENDOR);
            Ownership v2 = registry.update(v1.withActiveInstance("dps-a"));
            assertThatThrownBy(() -> registry.update(v1.withActiveInstance("dps-b")))
                    .isInstanceOf(ConcurrentUpdateException.class).hasMessageContaining("dev-1");
            Ownership future = new Ownership("dev-1", VENDOR, Optional.of("dps-b"), Optional.empty(), 7,
                    v1.createdAt(), v1.updatedAt());
            assertThatThrownBy(() -> registry.update(future)).isInstanceOf(ConcurrentUpdateException.class);
            assertThat(registry.find("dev-1")).contains(v2);
        }

        @Test
        void updateOfAnUnknownDeviceFailsAndCreatesNothing() {
            Ownership ghost = new Ownership("dev-1", VENDOR, Optional.of("dps-a"), Optional.empty(), 1, now(),
                    now());
            assertThatThrownBy(() -> registry.update(ghost)).isInstanceOf(OwnershipNotFoundException.class)
                    .hasMessageContaining("dev-1");
            assertThat(registry.find("dev-1")).isEmpty();
            assertThat(registry.ownedBy(VENDOR, Optional.empty(), 10).items()).isEmpty();
        }

        @Test
        void theOwnerCannotChangeThroughAnUpdate() {
            Ownership v1 = registered("dev-1", VENDOR);
            Ownership stolen = new Ownership("dev-1", CONTOSO, Optional.of("dps-c"), v1.claim(), v1.version(),
                    v1.createdAt(), v1.updatedAt());
            assertThatThrownBy(() -> registry.update(stolen)).isInstanceOfSatisfying(InvalidRequestException.class,
                    e -> assertThat(e.problemType()).isEqualTo("owner-change-needs-transfer"))
                    .hasMessageContaining("dev-1");
            assertThat(registry.find("dev-1")).contains(v1);
            assertThat(registry.history("dev-1")).isEmpty();
            assertThat(registry.ownedBy(CONTOSO, Optional.empty(), 10).items()).isEmpty();
        }

        @Test
        void concurrentUpdatesOfOneVersionLetExactlyOneWin() throws Exception {
            Ownership v1 = registered("dev-1", VENDOR);
            List<String> winners = new CopyOnWriteArrayList<>();
            AtomicInteger conflicts = new AtomicInteger();
            runConcurrently(contentionThreads(), t -> {
                try {
                    registry.update(v1.withActiveInstance("dps-" + t));
                    winners.add("dps-" + t);
                } catch (ConcurrentUpdateException e) {
                    conflicts.incrementAndGet();
                }
            });
            assertThat(winners).hasSize(1);
            assertThat(conflicts).hasValue(contentionThreads() - 1);
            Ownership stored = registry.find("dev-1").orElseThrow();
            assertThat(stored.version()).isEqualTo(2);
            assertThat(stored.activeInstanceId()).contains(winners.get(0));
        }
    }

    @Nested
    class Claims {

        @Test
        void aCodeIsStoredWithItsExpiryAndMarkedUsedOnce() {
            Instant expiry = Instant.parse("2026-01-08T00:00:00Z");
            Ownership v1 = registered(new NewOwnership("dev-1", CONTOSO, Optional.empty(),
                    Optional.of(ClaimCode.unused(HASH, expiry))));
            ClaimCode stored = registry.find("dev-1").orElseThrow().claim().orElseThrow();
            assertThat(stored.hash()).isEqualTo(HASH);
            assertThat(stored.expiresAt()).isEqualTo(expiry);
            assertThat(stored.isUsed()).isFalse();
            assertThat(stored.isOpenAt(now())).isTrue();

            clock.advance(Duration.ofMinutes(10));
            Ownership v2 = registry.update(v1.withClaim(stored.usedBy("installer-7@contoso", now())));
            ClaimCode used = registry.find("dev-1").orElseThrow().claim().orElseThrow();
            assertThat(used.isUsed()).isTrue();
            assertThat(used.claimedBy()).contains("installer-7@contoso");
            assertThat(used.claimedAt()).contains(now());
            assertThat(used.hash()).isEqualTo(HASH);
            assertThat(used.isOpenAt(now())).isFalse();
            assertThat(registry.find("dev-1")).contains(v2);
        }

        @Test
        void claimInstantsAreKeptToTheMicrosecond() {
            Instant expiry = Instant.parse("2026-01-08T00:00:00.123456789Z");
            Ownership v1 = registered(new NewOwnership("dev-1", CONTOSO, Optional.empty(),
                    Optional.of(ClaimCode.unused(HASH, expiry))));
            assertThat(v1.claim().orElseThrow().expiresAt()).isEqualTo(Instant.parse("2026-01-08T00:00:00.123456Z"));
            assertThat(registry.find("dev-1")).contains(v1);
            Ownership v2 = registry.update(v1.withClaim(v1.claim().orElseThrow().usedBy("installer",
                    Instant.parse("2026-01-01T00:10:00.000000999Z"))));
            assertThat(v2.claim().orElseThrow().claimedAt()).contains(Instant.parse("2026-01-01T00:10:00Z"));
            assertThat(registry.find("dev-1")).contains(v2);
        }

        @Test
        void racingInstallersUseACodeExactlyOnce() throws Exception {
            Ownership v1 = registered(new NewOwnership("dev-1", CONTOSO, Optional.empty(),
                    Optional.of(ClaimCode.unused(HASH, Instant.parse("2026-01-02T00:00:00Z")))));
            List<String> winners = new CopyOnWriteArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            runConcurrently(contentionThreads(), t -> {
                // Each installer read the same unused code: only the conditional write decides.
                Ownership read = v1;
                ClaimCode code = read.claim().orElseThrow();
                assertThat(code.isOpenAt(now())).isTrue();
                try {
                    registry.update(read.withClaim(code.usedBy("installer-" + t, now())));
                    winners.add("installer-" + t);
                } catch (ConcurrentUpdateException e) {
                    refused.incrementAndGet();
                }
            });
            assertThat(winners).hasSize(1);
            assertThat(refused).hasValue(contentionThreads() - 1);
            Ownership stored = registry.find("dev-1").orElseThrow();
            assertThat(stored.version()).isEqualTo(2);
            assertThat(stored.claim().orElseThrow().claimedBy()).contains(winners.get(0));
        }

        @Test
        void aTransferKeepsTheClaimAsItIs() {
            ClaimCode claim = ClaimCode.unused(HASH, Instant.parse("2026-01-02T00:00:00Z")).usedBy("installer",
                    Instant.parse("2026-01-01T00:00:00Z"));
            Ownership v1 = registered(new NewOwnership("dev-1", VENDOR, Optional.empty(), Optional.of(claim)));
            Ownership v2 = transferred(v1, CONTOSO, "dps-c", "installer");
            assertThat(v2.claim()).contains(claim);
            assertThat(registry.find("dev-1").orElseThrow().claim()).contains(claim);
        }
    }

    @Nested
    class Transfer {

        @Test
        void aTransferChangesOwnerAndInstanceAndAppendsOneEntry() {
            Ownership v1 = registered(new NewOwnership("dev-1", VENDOR, Optional.of("dps-factory"),
                    Optional.empty()));
            clock.advance(Duration.ofMinutes(1));
            Ownership v2 = transferred(v1, CONTOSO, "dps-contoso", "admin@vendor");
            assertThat(v2.owner()).isEqualTo(CONTOSO);
            assertThat(v2.activeInstanceId()).contains("dps-contoso");
            assertThat(v2.version()).isEqualTo(2);
            assertThat(v2.createdAt()).isEqualTo(v1.createdAt());
            assertThat(v2.updatedAt()).isEqualTo(now());
            assertThat(registry.find("dev-1")).contains(v2);
            assertThat(registry.history("dev-1")).containsExactly(new OwnershipTransfer("dev-1", 1, VENDOR, CONTOSO,
                    Optional.of("dps-factory"), Optional.of("dps-contoso"), "admin@vendor", now()));
            assertThat(registry.ownedBy(VENDOR, Optional.empty(), 10).items()).isEmpty();
            assertThat(registry.ownedBy(CONTOSO, Optional.empty(), 10).items()).containsExactly(v2);
        }

        @Test
        void transfersAppendInSequenceOldestFirst() {
            Ownership v = registered("dev-1", VENDOR);
            List<Instant> times = new ArrayList<>();
            String[][] steps = {{CONTOSO, "dps-c"}, {FABRIKAM, null}, {FABRIKAM, "dps-f2"}, {VENDOR, "dps-factory"}};
            for (String[] step : steps) {
                clock.advance(Duration.ofSeconds(90));
                times.add(now());
                v = transferred(v, step[0], step[1], "job-" + times.size());
            }
            List<OwnershipTransfer> history = registry.history("dev-1");
            assertThat(history).containsExactly(
                    new OwnershipTransfer("dev-1", 1, VENDOR, CONTOSO, Optional.empty(), Optional.of("dps-c"),
                            "job-1", times.get(0)),
                    new OwnershipTransfer("dev-1", 2, CONTOSO, FABRIKAM, Optional.of("dps-c"), Optional.empty(),
                            "job-2", times.get(1)),
                    new OwnershipTransfer("dev-1", 3, FABRIKAM, FABRIKAM, Optional.empty(), Optional.of("dps-f2"),
                            "job-3", times.get(2)),
                    new OwnershipTransfer("dev-1", 4, FABRIKAM, VENDOR, Optional.of("dps-f2"),
                            Optional.of("dps-factory"), "job-4", times.get(3)));
            assertThat(v.version()).isEqualTo(5);
            assertThat(registry.find("dev-1")).contains(v);
        }

        @Test
        void historiesArePerDevice() {
            Ownership a = registered("dev-a", VENDOR);
            Ownership b = registered("dev-b", VENDOR);
            transferred(a, CONTOSO, null, "admin");
            transferred(b, FABRIKAM, null, "admin");
            assertThat(registry.history("dev-a")).extracting(OwnershipTransfer::registrationId,
                    OwnershipTransfer::sequence, OwnershipTransfer::toOwner)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("dev-a", 1L, CONTOSO));
            assertThat(registry.history("dev-b")).extracting(OwnershipTransfer::registrationId,
                    OwnershipTransfer::sequence, OwnershipTransfer::toOwner)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("dev-b", 1L, FABRIKAM));
        }

        @Test
        void aStaleTransferChangesNothingAndAddsNoHistory() {
            Ownership v1 = registered("dev-1", VENDOR);
            Ownership v2 = registry.update(v1.withActiveInstance("dps-a"));
            assertThatThrownBy(() -> transferred(v1, CONTOSO, "dps-c", "admin"))
                    .isInstanceOf(ConcurrentUpdateException.class).hasMessageContaining("dev-1");
            assertThat(registry.find("dev-1")).contains(v2);
            assertThat(registry.history("dev-1")).isEmpty();

            Ownership v3 = transferred(v2, CONTOSO, "dps-c", "admin");
            assertThatThrownBy(() -> transferred(v2, FABRIKAM, "dps-f", "admin"))
                    .isInstanceOf(ConcurrentUpdateException.class);
            assertThat(registry.find("dev-1")).contains(v3);
            assertThat(registry.history("dev-1")).as("numbered by transfers, not by versions").containsExactly(
                    new OwnershipTransfer("dev-1", 1, VENDOR, CONTOSO, Optional.of("dps-a"), Optional.of("dps-c"),
                            "admin", now()));
            assertThat(registry.ownedBy(FABRIKAM, Optional.empty(), 10).items()).isEmpty();
        }

        @Test
        void aTransferOfAnUnknownDeviceFailsAndRecordsNothing() {
            assertThatThrownBy(() -> registry.transfer(new TransferRequest("dev-1", 1, CONTOSO, Optional.empty(),
                    "admin"))).isInstanceOf(OwnershipNotFoundException.class).hasMessageContaining("dev-1");
            assertThat(registry.find("dev-1")).isEmpty();
            assertThat(registry.history("dev-1")).isEmpty();
            assertThat(registry.ownedBy(CONTOSO, Optional.empty(), 10).items()).isEmpty();
        }

        @Test
        void theHistoryOfAnUnknownDeviceIsEmpty() {
            registered("dev-1", VENDOR);
            assertThat(registry.history("dev-2")).isEmpty();
        }

        @Test
        void concurrentTransfersOfOneDeviceKeepAGaplessHistory() throws Exception {
            registered("dev-1", VENDOR);
            int attempts = 6;
            Map<String, Integer> wins = new ConcurrentHashMap<>();
            AtomicInteger conflicts = new AtomicInteger();
            runConcurrently(contentionThreads(), t -> {
                String owner = "owner-" + t;
                for (int i = 0; i < attempts; i++) {
                    Ownership read = registry.find("dev-1").orElseThrow();
                    try {
                        registry.transfer(new TransferRequest("dev-1", read.version(), owner,
                                Optional.of("dps-" + t), "thread-" + t));
                        wins.merge(owner, 1, Integer::sum);
                    } catch (ConcurrentUpdateException e) {
                        conflicts.incrementAndGet();
                    }
                }
            });
            int successes = wins.values().stream().mapToInt(Integer::intValue).sum();
            assertThat(successes + conflicts.get()).isEqualTo(contentionThreads() * attempts);
            assertThat(successes).isPositive();
            List<OwnershipTransfer> history = registry.history("dev-1");
            assertThat(history).hasSize(successes);
            String previous = VENDOR;
            Optional<String> previousInstance = Optional.empty();
            for (int i = 0; i < history.size(); i++) {
                OwnershipTransfer h = history.get(i);
                assertThat(h.sequence()).as("entry %d", i).isEqualTo(i + 1L);
                assertThat(h.fromOwner()).as("entry %d continues from the one before", i).isEqualTo(previous);
                assertThat(h.fromInstanceId()).as("entry %d", i).isEqualTo(previousInstance);
                assertThat(h.actor()).isEqualTo("thread-" + h.toOwner().substring("owner-".length()));
                previous = h.toOwner();
                previousInstance = h.toInstanceId();
            }
            for (Map.Entry<String, Integer> w : wins.entrySet()) {
                assertThat(history.stream().filter(h -> h.toOwner().equals(w.getKey())).count())
                        .as("entries for %s", w.getKey()).isEqualTo(w.getValue().longValue());
            }
            Ownership last = registry.find("dev-1").orElseThrow();
            assertThat(last.owner()).isEqualTo(previous);
            assertThat(last.activeInstanceId()).isEqualTo(previousInstance);
            assertThat(last.version()).isEqualTo(1L + successes);
        }
    }

    @Nested
    class OwnedBy {

        @Test
        void pagesThroughAnOwnersDevicesInOrderWithoutOthers() {
            List<String> contoso = new ArrayList<>();
            List<String> fabrikam = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                contoso.add(String.format("dev-%04d", i * 2));
                fabrikam.add(String.format("dev-%04d", i * 2 + 1));
            }
            List<String> all = new ArrayList<>(contoso);
            all.addAll(fabrikam.subList(0, 100));
            Collections.shuffle(all, new Random(11));
            for (String id : all) {
                registered(id, contoso.contains(id) ? CONTOSO : FABRIKAM);
            }
            List<Integer> sizes = new ArrayList<>();
            List<String> seen = new ArrayList<>();
            Optional<String> after = Optional.empty();
            do {
                OwnershipPage page = registry.ownedBy(CONTOSO, after, 64);
                sizes.add(page.items().size());
                page.items().forEach(o -> {
                    assertThat(o.owner()).isEqualTo(CONTOSO);
                    seen.add(o.registrationId());
                });
                if (page.next().isPresent()) {
                    assertThat(page.next()).contains(page.items().get(page.items().size() - 1).registrationId());
                }
                after = page.next();
            } while (after.isPresent());
            assertThat(sizes).containsExactly(64, 64, 64, 58);
            assertThat(seen).isEqualTo(contoso);
            assertThat(idsOwnedBy(FABRIKAM)).isEqualTo(fabrikam.subList(0, 100).stream().sorted().toList());
        }

        @Test
        void aPageEndingAtTheLastDeviceHasNoNext() {
            for (String id : List.of("dev-a", "dev-b", "dev-c")) {
                registered(id, CONTOSO);
            }
            OwnershipPage exact = registry.ownedBy(CONTOSO, Optional.empty(), 3);
            assertThat(exact.items()).extracting(Ownership::registrationId).containsExactly("dev-a", "dev-b", "dev-c");
            assertThat(exact.next()).isEmpty();
            OwnershipPage first = registry.ownedBy(CONTOSO, Optional.empty(), 2);
            assertThat(first.items()).extracting(Ownership::registrationId).containsExactly("dev-a", "dev-b");
            assertThat(first.next()).contains("dev-b");
            OwnershipPage second = registry.ownedBy(CONTOSO, first.next(), 2);
            assertThat(second.items()).extracting(Ownership::registrationId).containsExactly("dev-c");
            assertThat(second.next()).isEmpty();
            OwnershipPage single = registry.ownedBy(CONTOSO, Optional.empty(), 1);
            assertThat(single.items()).extracting(Ownership::registrationId).containsExactly("dev-a");
            assertThat(single.next()).contains("dev-a");
        }

        @Test
        void afterIsExclusiveAndNeedNotBeAKnownId() {
            for (int i = 0; i < 10; i++) {
                registered(String.format("dev-%02d", i), CONTOSO);
            }
            assertThat(registry.ownedBy(CONTOSO, Optional.of("dev-05"), 100).items())
                    .extracting(Ownership::registrationId).containsExactly("dev-06", "dev-07", "dev-08", "dev-09");
            assertThat(registry.ownedBy(CONTOSO, Optional.of("dev-055"), 100).items())
                    .extracting(Ownership::registrationId).containsExactly("dev-06", "dev-07", "dev-08", "dev-09");
            assertThat(registry.ownedBy(CONTOSO, Optional.of("dev-09"), 100).items()).isEmpty();
            assertThat(registry.ownedBy(CONTOSO, Optional.of("'; --"), 100).items()).hasSize(10);
        }

        @Test
        void anOwnerWithoutDevicesHasAnEmptyLastPage() {
            registered("dev-1", CONTOSO);
            OwnershipPage page = registry.ownedBy(FABRIKAM, Optional.empty(), 10);
            assertThat(page.items()).isEmpty();
            assertThat(page.next()).isEmpty();
        }

        @Test
        void ownersAreCaseSensitive() {
            registered("dev-1", "contoso");
            registered("dev-2", "Contoso");
            registered("dev-3", "CONTOSO");
            assertThat(idsOwnedBy("contoso")).containsExactly("dev-1");
            assertThat(idsOwnedBy("Contoso")).containsExactly("dev-2");
            assertThat(idsOwnedBy("CONTOSO")).containsExactly("dev-3");
            assertThat(idsOwnedBy("contoso.")).isEmpty();
        }

        @Test
        void aTransferMovesTheDeviceBetweenOwnersPages() {
            Ownership a = registered("dev-a", CONTOSO);
            registered("dev-b", CONTOSO);
            transferred(a, FABRIKAM, null, "admin");
            assertThat(idsOwnedBy(CONTOSO)).containsExactly("dev-b");
            assertThat(idsOwnedBy(FABRIKAM)).containsExactly("dev-a");
        }

        @Test
        void limitsFromOneToTenThousandAreAccepted() {
            for (int i = 0; i < 3; i++) {
                registered("dev-" + i, CONTOSO);
            }
            assertThat(registry.ownedBy(CONTOSO, Optional.empty(), 1).items()).hasSize(1);
            assertThat(registry.ownedBy(CONTOSO, Optional.empty(), 10_000).items()).hasSize(3);
            for (int bad : List.of(0, -1, 10_001, Integer.MAX_VALUE, Integer.MIN_VALUE)) {
                assertThatThrownBy(() -> registry.ownedBy(CONTOSO, Optional.empty(), bad)).as("limit %d", bad)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(bad));
            }
        }
    }

    @Nested
    class Remove {

        @Test
        void removeDeletesTheRecordAndItsHistory() {
            Ownership v1 = registered("dev-1", VENDOR);
            Ownership v3 = transferred(transferred(v1, CONTOSO, "dps-c", "admin"), FABRIKAM, "dps-f", "admin");
            registered("dev-2", FABRIKAM);
            assertThat(registry.remove("dev-1", v3.version())).isTrue();
            assertThat(registry.find("dev-1")).isEmpty();
            assertThat(registry.history("dev-1")).isEmpty();
            assertThat(idsOwnedBy(FABRIKAM)).containsExactly("dev-2");
            assertThat(registry.remove("dev-1", v3.version())).as("second remove").isFalse();
            assertThat(registry.find("dev-2")).isPresent();
        }

        @Test
        void aStaleRemoveIsRefusedAndChangesNothing() {
            Ownership v1 = registered("dev-1", VENDOR);
            Ownership v2 = transferred(v1, CONTOSO, null, "admin");
            assertThatThrownBy(() -> registry.remove("dev-1", v1.version()))
                    .isInstanceOf(ConcurrentUpdateException.class).hasMessageContaining("dev-1");
            assertThat(registry.find("dev-1")).contains(v2);
            assertThat(registry.history("dev-1")).hasSize(1);
        }

        @Test
        void removingAnUnknownDeviceReturnsFalse() {
            registered("dev-1", VENDOR);
            assertThat(registry.remove("dev-2", 1)).isFalse();
            assertThat(registry.find("dev-1")).isPresent();
        }

        @Test
        void concurrentRemovesOfOneDeviceRemoveItOnce() throws Exception {
            Ownership v1 = registered("dev-1", VENDOR);
            registered("dev-2", VENDOR);
            AtomicInteger removed = new AtomicInteger();
            runConcurrently(contentionThreads(), t -> {
                if (registry.remove("dev-1", v1.version())) {
                    removed.incrementAndGet();
                }
            });
            assertThat(removed).hasValue(1);
            assertThat(idsOwnedBy(VENDOR)).containsExactly("dev-2");
        }
    }

    @Nested
    class BadInput {

        private static final List<String> BAD_IDS = List.of("", "Dev-1", "DEV-1", "dev/1", "dev 1", "dev-1\n",
                "a".repeat(129), "dev.", "dév-1");
        private static final List<String> BAD_OWNERS = List.of("", " ", "has space", "a/b", "o'brien", "t\u00e9nant",
                "x".repeat(129), "tab\there", "semi;colon");

        @Test
        void invalidOrNonNormalisedIdsAreRefusedAndChangeNothing() {
            Ownership v1 = registered("dev-1", VENDOR);
            for (String bad : BAD_IDS) {
                assertThatThrownBy(() -> registry.register(NewOwnership.of(bad, VENDOR))).as("register '%s'", bad)
                        .isInstanceOfSatisfying(InvalidRequestException.class,
                                e -> assertThat(e.problemType()).isEqualTo("invalid-registration-id"));
                assertThatThrownBy(() -> registry.find(bad)).as("find '%s'", bad)
                        .isInstanceOf(InvalidRequestException.class);
                assertThatThrownBy(() -> registry.history(bad)).as("history '%s'", bad)
                        .isInstanceOf(InvalidRequestException.class);
                assertThatThrownBy(() -> registry.remove(bad, 1)).as("remove '%s'", bad)
                        .isInstanceOf(InvalidRequestException.class);
                assertThatThrownBy(() -> registry.update(new Ownership(bad, VENDOR, Optional.of("dps-x"),
                        Optional.empty(), 1, now(), now()))).as("update '%s'", bad)
                        .isInstanceOf(InvalidRequestException.class);
                assertThatThrownBy(() -> registry.transfer(new TransferRequest(bad, 1, CONTOSO, Optional.empty(),
                        "admin"))).as("transfer '%s'", bad).isInstanceOf(InvalidRequestException.class);
            }
            assertThat(registry.find("dev-1")).contains(v1);
            assertThat(registry.history("dev-1")).isEmpty();
            assertThat(idsOwnedBy(VENDOR)).containsExactly("dev-1");
            assertThat(idsOwnedBy(CONTOSO)).isEmpty();
        }

        @Test
        void invalidOwnersAreRefusedAndChangeNothing() {
            Ownership v1 = registered("dev-1", VENDOR);
            for (String bad : BAD_OWNERS) {
                assertThatThrownBy(() -> registry.register(NewOwnership.of("dev-2", bad))).as("register to '%s'", bad)
                        .isInstanceOfSatisfying(InvalidRequestException.class,
                                e -> assertThat(e.problemType()).isEqualTo("invalid-owner"));
                assertThatThrownBy(() -> transferred(v1, bad, null, "admin")).as("transfer to '%s'", bad)
                        .isInstanceOfSatisfying(InvalidRequestException.class,
                                e -> assertThat(e.problemType()).isEqualTo("invalid-owner"));
                assertThatThrownBy(() -> registry.ownedBy(bad, Optional.empty(), 10)).as("ownedBy '%s'", bad)
                        .isInstanceOf(InvalidRequestException.class);
            }
            assertThat(registry.find("dev-1")).contains(v1);
            assertThat(registry.find("dev-2")).isEmpty();
            assertThat(registry.history("dev-1")).isEmpty();
        }

        @Test
        void nullsAreRefusedAndChangeNothing() {
            Ownership v1 = registered("dev-1", VENDOR);
            assertThatThrownBy(() -> registry.register(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> registry.update(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> registry.transfer(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> registry.ownedBy(VENDOR, null, 10)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> registry.ownedBy(null, Optional.empty(), 10))
                    .isInstanceOf(InvalidRequestException.class);
            for (var call : List.<Runnable>of(() -> registry.find(null), () -> registry.history(null),
                    () -> registry.remove(null, 1))) {
                assertThatThrownBy(call::run).isInstanceOfAny(NullPointerException.class,
                        InvalidRequestException.class);
            }
            assertThat(registry.find("dev-1")).contains(v1);
            assertThat(idsOwnedBy(VENDOR)).containsExactly("dev-1");
        }

        @Test
        void valuesAtTheirLengthLimitsRoundTrip() {
            String idChars = "abcdefghijklmnopqrstuvwxyz0123456789-._:";
            StringBuilder id = new StringBuilder();
            while (id.length() < 127) {
                id.append(idChars.charAt(id.length() % idChars.length()));
            }
            id.append('z');
            String ownerChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-";
            StringBuilder owner = new StringBuilder();
            while (owner.length() < 128) {
                owner.append(ownerChars.charAt(owner.length() % ownerChars.length()));
            }
            String instance = "i".repeat(63) + "9";
            String hash = "h".repeat(255) + "=";
            String installer = "\u00e9".repeat(200) + "i".repeat(56);
            String actor = "\u4e2d".repeat(256);
            ClaimCode claim = ClaimCode.unused(hash, Instant.parse("2026-02-01T00:00:00Z"));
            Ownership v1 = registered(new NewOwnership(id.toString(), owner.toString(), Optional.of(instance),
                    Optional.of(claim)));
            assertThat(v1.registrationId()).hasSize(128);
            assertThat(v1.owner()).hasSize(128);
            assertThat(registry.find(id.toString())).contains(v1);
            Ownership v2 = registry.update(v1.withClaim(claim.usedBy(installer, now())));
            Ownership v3 = transferred(v2, owner.toString(), instance, actor);
            assertThat(registry.find(id.toString())).contains(v3);
            assertThat(v3.claim().orElseThrow().claimedBy()).contains(installer);
            assertThat(registry.history(id.toString())).singleElement()
                    .satisfies(h -> assertThat(h.actor()).isEqualTo(actor));
            assertThat(registry.ownedBy(owner.toString(), Optional.empty(), 10).items()).containsExactly(v3);
        }

        @Test
        void queryMetacharactersAreStoredVerbatim() {
            String hash = "o'brien\"; DROP TABLE multiscope_ownership; -- %_\\ {\"$where\":1}";
            String installer = "x' OR '1'='1 \u00e9\u4e2d\ud83d\ude00";
            String actor = "admin'); DELETE FROM multiscope_ownership_transfer; -- \\%_*?";
            String owner = "tenant:a@b.c_d-e";
            Ownership v1 = registered(new NewOwnership("dev-1", owner, Optional.of("dps_a.b-c"),
                    Optional.of(ClaimCode.unused(hash, Instant.parse("2026-02-01T00:00:00Z")))));
            Ownership v2 = registry.update(v1.withClaim(v1.claim().orElseThrow().usedBy(installer, now())));
            Ownership v3 = transferred(v2, owner, "dps_a.b-d", actor);
            assertThat(registry.find("dev-1")).contains(v3);
            assertThat(v3.claim().orElseThrow().hash()).isEqualTo(hash);
            assertThat(v3.claim().orElseThrow().claimedBy()).contains(installer);
            assertThat(registry.history("dev-1")).singleElement().satisfies(h -> assertThat(h.actor()).isEqualTo(actor));
            assertThat(idsOwnedBy(owner)).containsExactly("dev-1");
            assertThat(idsOwnedBy("tenant")).isEmpty();
        }
    }

    @Nested
    class Time {

        @Test
        void everyTimestampComesFromTheInjectedClock() {
            clock.advance(Duration.ofDays(400).plusNanos(123_456_789));
            Instant registeredAt = now();
            assertThat(registeredAt.getNano()).as("the clock is at a sub-second instant").isEqualTo(123_456_000);
            Ownership v1 = registered("dev-1", VENDOR);
            assertThat(v1.createdAt()).isEqualTo(registeredAt);
            assertThat(v1.updatedAt()).isEqualTo(registeredAt);

            clock.advance(Duration.ofMillis(1_500));
            Ownership v2 = registry.update(v1.withActiveInstance("dps-a"));
            assertThat(v2.createdAt()).isEqualTo(registeredAt);
            assertThat(v2.updatedAt()).isEqualTo(now());

            clock.advance(Duration.ofMinutes(42));
            Instant transferredAt = now();
            Ownership v3 = transferred(v2, CONTOSO, null, "admin");
            assertThat(v3.updatedAt()).isEqualTo(transferredAt);
            assertThat(v3.createdAt()).isEqualTo(registeredAt);
            assertThat(registry.history("dev-1")).singleElement()
                    .satisfies(h -> assertThat(h.at()).isEqualTo(transferredAt));
            clock.advance(Duration.ofHours(1));
            assertThat(registry.find("dev-1")).as("reading changes no time").contains(v3);
        }
    }
}
