package io.multiscope.store.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.azure.cosmos.ConsistencyLevel;
import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosClientBuilder;
import com.azure.cosmos.ThrottlingRetryOptions;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.ownership.ClaimCode;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipOutcome;
import io.multiscope.core.ownership.OwnershipPage;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.ownership.TransferRequest;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.time.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Transient failures injected by the test server (see launcher.js, fault injection): the store retries them through
 * its {@link RetryHook}, waiting at least the server's retry-after (in virtual time here), and repeated writes whose
 * first answer was lost still take effect exactly once.
 */
class RetryTest {

    private static CosmosAsyncContainer container;

    @BeforeAll
    static void container() {
        container = CosmosBackend.LOCAL.newContainer("retry");
    }

    @AfterAll
    static void deleteContainer() {
        CosmosBackend.deleteQuietly(container);
    }

    /** A client whose requests the test server disturbs as {@code faultToken} says; the SDK's own 429 retries off. */
    private static CosmosAsyncClient faultyClient(String faultToken) {
        CosmosBackend.LOCAL.client(); // skips when the server is absent; sets the loopback certificate property
        return new CosmosClientBuilder().endpoint(CosmosBackend.localEndpoint())
                .key(Base64.getEncoder().encodeToString("any".getBytes())).gatewayMode()
                .consistencyLevel(ConsistencyLevel.SESSION).contentResponseOnWriteEnabled(false)
                .userAgentSuffix(faultToken)
                .throttlingRetryOptions(new ThrottlingRetryOptions().setMaxRetryAttemptsOnThrottledRequests(0))
                .buildAsyncClient();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"multiscope-fault-429-every-3", "multiscope-fault-449-every-3",
            "multiscope-fault-503-every-3", "multiscope-lost-408-every-3"})
    void operationsSucceedExactlyOnceDespiteTransientFailures(String faultToken) {
        VirtualClock clock = VirtualClock.startingAt(Instant.parse("2026-03-01T00:00:00Z"));
        String prefix = faultToken.replaceAll("[^0-9a-z]", "").substring(10);
        try (CosmosAsyncClient client = faultyClient(faultToken)) {
            CosmosInventoryStore store = CosmosInventoryStore.builder()
                    .container(client.getDatabase(container.getDatabase().getId()).getContainer(container.getId()))
                    .writerId("retry-" + prefix).clock(clock).grantSize(7)
                    .retryHook(RetryHook.bounded(8, Duration.ofMillis(1), Duration.ofMillis(10), clock)).build();
            String a = prefix + "-a";
            String b = prefix + "-b";
            store.upsertInstance(DpsInstance.builder(a).idScope("0ne0000000A").region("westeurope").build());
            store.upsertInstance(DpsInstance.builder(b).idScope("0ne0000000B").region("westeurope").capacity(20)
                    .build());
            int created = 0;
            for (int i = 0; i < 30; i++) {
                AssignOutcome o = store.assign(NewAssignment.of(prefix + "-dev-" + i, i % 2 == 0 ? a : b));
                created += o instanceof AssignOutcome.Created ? 1 : 0;
                assertThat(store.assign(NewAssignment.of(prefix + "-dev-" + i, a)))
                        .isInstanceOf(AssignOutcome.Existing.class);
            }
            assertThat(created).isEqualTo(30);
            for (int i = 0; i < 30; i += 3) {
                DeviceAssignment d = store.findAssignment(prefix + "-dev-" + i).orElseThrow();
                DeviceAssignment updated = store.update(d.registered("hub-1", d.registrationId()));
                assertThat(updated.version()).isEqualTo(d.version() + 1);
                if (i % 2 == 0) {
                    assertThat(store.move(d.registrationId(), updated.version(), b))
                            .isInstanceOf(AssignOutcome.Created.class);
                } else {
                    assertThat(store.release(d.registrationId(), updated.version())).isTrue();
                }
            }
            // 15 on each, 5 of a's moved to b, 5 of b's released: 10 and 15.
            assertThat(store.assignedCount(a)).isEqualTo(10);
            assertThat(store.assignedCount(b)).isEqualTo(15);
            assertThat(store.assignmentsOn(b, Optional.empty(), 100).items()).hasSize(15);
            if (faultToken.contains("429")) {
                // Every third of some 200 document requests was throttled and retried by the hook after at least the
                // 20 ms the server asked for (in virtual time). The SDK retries some other statuses itself first.
                assertThat(Duration.between(Instant.parse("2026-03-01T00:00:00Z"), clock.instant()))
                        .isGreaterThanOrEqualTo(Duration.ofMillis(20 * 50));
            }
            store.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"multiscope-fault-429-every-3", "multiscope-fault-503-every-3",
            "multiscope-lost-408-every-3", "multiscope-lost-408-every-4"})
    void ownershipChangesTakeEffectExactlyOnceDespiteTransientFailures(String faultToken) {
        VirtualClock clock = VirtualClock.startingAt(Instant.parse("2026-03-01T00:00:00Z"));
        String prefix = "own" + faultToken.replaceAll("[^0-9a-z]", "").substring(10);
        try (CosmosAsyncClient client = faultyClient(faultToken)) {
            OwnershipRegistry registry = CosmosInventoryStore.builder()
                    .container(client.getDatabase(container.getDatabase().getId()).getContainer(container.getId()))
                    .writerId("retry-" + prefix).clock(clock)
                    .retryHook(RetryHook.bounded(8, Duration.ofMillis(1), Duration.ofMillis(10), clock)).build()
                    .ownership();
            int devices = 12;
            for (int i = 0; i < devices; i++) {
                String id = prefix + "-dev-" + i;
                assertThat(registry.register(new NewOwnership(id, "vendor", Optional.empty(),
                        Optional.of(ClaimCode.unused("h" + i, clock.instant().plusSeconds(60)))))).as(id)
                        .isInstanceOf(OwnershipOutcome.Created.class);
                assertThat(registry.register(NewOwnership.of(id, "other")))
                        .isInstanceOf(OwnershipOutcome.Existing.class);
                Ownership o = registry.find(id).orElseThrow();
                o = registry.update(o.withClaim(o.claim().orElseThrow().usedBy("installer", clock.instant())));
                assertThat(o.version()).isEqualTo(2);
                for (int t = 1; t <= 3; t++) {
                    o = registry.transfer(new TransferRequest(id, o.version(), "owner-" + t, Optional.of("dps-" + t),
                            "admin"));
                    assertThat(o.version()).isEqualTo(2 + t);
                }
                assertThat(registry.history(id)).extracting(OwnershipTransfer::sequence, OwnershipTransfer::toOwner)
                        .containsExactly(tuple(1L, "owner-1"), tuple(2L, "owner-2"), tuple(3L, "owner-3"));
                if (i % 2 == 0) {
                    assertThat(registry.remove(id, o.version())).as("removal of " + id).isTrue();
                    assertThat(registry.find(id)).isEmpty();
                }
            }
            List<String> owned = new ArrayList<>();
            Optional<String> after = Optional.empty();
            do {
                OwnershipPage page = registry.ownedBy("owner-3", after, 2);
                page.items().stream().map(Ownership::registrationId).filter(r -> r.startsWith(prefix + "-"))
                        .forEach(owned::add);
                after = page.next();
            } while (after.isPresent());
            assertThat(owned).hasSize(devices / 2).allMatch(r -> Integer.parseInt(r.replaceAll(".*-", "")) % 2 == 1);
        }
    }

    @Test
    void aTransientFailureThatOutlastsTheRetriesSurfacesAsTransient() {
        VirtualClock clock = VirtualClock.create();
        try (CosmosAsyncClient client = faultyClient("multiscope-fault-429-every-1")) {
            CosmosInventoryStore store = CosmosInventoryStore.builder()
                    .container(client.getDatabase(container.getDatabase().getId()).getContainer(container.getId()))
                    .writerId("retry-exhausted").verifyContainer(false)
                    .retryHook(RetryHook.bounded(3, Duration.ofMillis(1), Duration.ofMillis(10), clock)).build();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.findAssignment("dev-1"))
                    .isInstanceOfSatisfying(CosmosStoreException.class, e -> {
                        assertThat(e.isTransient()).isTrue();
                        assertThat(e.statusCode()).isEqualTo(429);
                        assertThat(e.retryAfter()).contains(Duration.ofMillis(20));
                        assertThat(e.getMessage()).contains("429").contains("request rate too large")
                                .contains("dev-1");
                    });
            assertThat(clock.read()).as("waited twice, at least 20 ms each").isGreaterThanOrEqualTo(40_000_000L);
        }
    }
}
