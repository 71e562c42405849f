package io.multiscope.core.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OwnershipRecordsTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00.123456789Z");
    private static final Instant T_MICROS = Instant.parse("2026-01-01T00:00:00.123456Z");

    @Test
    void instantsAreKeptToTheMicrosecond() {
        ClaimCode claim = ClaimCode.unused("h", T).usedBy("installer", T);
        assertThat(claim.expiresAt()).isEqualTo(T_MICROS);
        assertThat(claim.claimedAt()).contains(T_MICROS);
        Ownership o = new Ownership("dev-1", "owner", Optional.empty(), Optional.of(claim), 1, T, T);
        assertThat(o.createdAt()).isEqualTo(T_MICROS);
        assertThat(o.updatedAt()).isEqualTo(T_MICROS);
        OwnershipTransfer h = new OwnershipTransfer("dev-1", 1, "a", "b", Optional.empty(), Optional.empty(), "x", T);
        assertThat(h.at()).isEqualTo(T_MICROS);
    }

    @Test
    void valuesLongerThanEveryStoreKeepsAreRefused() {
        String instance65 = "i".repeat(65);
        assertThatThrownBy(() -> new NewOwnership("dev-1", "owner", Optional.of(instance65), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("activeInstanceId");
        assertThatThrownBy(() -> new TransferRequest("dev-1", 1, "owner", Optional.of(instance65), "admin"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("newActiveInstanceId");
        Ownership o = new Ownership("dev-1", "owner", Optional.of("i".repeat(64)), Optional.empty(), 1, T, T);
        assertThatThrownBy(() -> o.withActiveInstance(instance65)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withActiveInstance("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransferRequest("dev-1", 1, "owner", Optional.empty(), "a".repeat(257)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("actor");
        assertThatThrownBy(() -> new TransferRequest("dev-1", 1, "owner", Optional.empty(), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("actor");
        ClaimCode claim = ClaimCode.unused("h", T);
        assertThatThrownBy(() -> claim.usedBy("a".repeat(257), T)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("claimedBy");
        assertThat(claim.usedBy("a".repeat(256), T).claimedBy()).contains("a".repeat(256));
        assertThat(new TransferRequest("dev-1", 1, "owner", Optional.of("i".repeat(64)), "a".repeat(256)).actor())
                .hasSize(256);
    }
}
