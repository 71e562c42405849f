package io.multiscope.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pattern 3 demo keeps showing what it claims, on a small fleet. */
class RedirectDemoTest {

    @Test
    void devicesFollowTheRedirectThenTheTransferAndRefuseALoop() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RedirectDemo.Report r = RedirectDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 12);
        String output = bytes.toString(StandardCharsets.UTF_8);

        // First boot: every device went through the factory DPS (staging hub) to one of acme's two instances.
        assertThat(r.provisioned()).as(output).isEqualTo(12);
        assertThat(r.redirectedFromFactory()).as(output).isEqualTo(12);
        assertThat(r.stagedAtFactory()).as(output).isEqualTo(12);
        assertThat(r.registrationsBefore()).as(output).containsEntry(RedirectDemo.FACTORY, 12L)
                .containsEntry(RedirectDemo.GLOBEX, 0L);
        assertThat(r.registrationsBefore().get(RedirectDemo.ACME_EU) + r.registrationsBefore()
                .get(RedirectDemo.ACME_US)).as(output).isEqualTo(12);
        assertThat(r.registrationsBefore().get(RedirectDemo.ACME_EU)).as("the strategy uses both of acme's")
                .isPositive().isLessThan(12);
        assertThat(r.rebootStored()).as(output).isEqualTo(12);
        assertThat(r.rebootDpsRequests()).as(output).isZero();
        assertThat(r.forgedWebhookStatus()).isEqualTo(401);
        assertThat(r.forgedWebhookProblem()).isEqualTo("invalid-function-key");

        // Devices 0, 4 and 8 are transferred, paced by the budget (one a second at 60 a minute).
        assertThat(r.transferRequested()).isEqualTo(3);
        assertThat(r.transferred()).as(output).isEqualTo(3);
        assertThat(r.cleanupsDeleted()).as(output).isEqualTo(3);
        assertThat(r.cleanupsPending()).isZero();
        assertThat(r.transfersPerMinute()).isEqualTo(RedirectDemo.TRANSFERS_PER_MINUTE);
        assertThat(r.transferTime()).isGreaterThanOrEqualTo(Duration.ofSeconds(2)).isLessThan(Duration.ofSeconds(4));
        assertThat(r.pendingAfterTransfer()).isEqualTo(3);
        assertThat(r.followedToNewOwner()).as(output).isEqualTo(3);
        assertThat(r.pendingAtEnd()).isZero();
        assertThat(r.registrationsAfter()).as(output).containsEntry(RedirectDemo.FACTORY, 12L)
                .containsEntry(RedirectDemo.GLOBEX, 3L);
        assertThat(r.registrationsAfter().get(RedirectDemo.ACME_EU) + r.registrationsAfter()
                .get(RedirectDemo.ACME_US)).as("the old registrations were deleted").isEqualTo(9);
        assertThat(r.inventoryAfter()).containsEntry(RedirectDemo.GLOBEX, 3L);
        assertThat(r.inventoryAfter().get(RedirectDemo.ACME_EU) + r.inventoryAfter().get(RedirectDemo.ACME_US))
                .isEqualTo(9);
        assertThat(r.historyEntries()).isEqualTo(1);
        assertThat(r.historyFrom()).startsWith("acme/dps-acme-");
        assertThat(r.historyTo()).isEqualTo("globex/" + RedirectDemo.GLOBEX);

        assertThat(r.loopRefused()).as(output).isTrue();
        assertThat(r.loopKeptLastGood()).as(output).isTrue();
        assertThat(output).contains("a redirect loop").contains("\"redirect\":{\"version\":1");
    }

    @Test
    void aFleetOutsideTheLimitsIsRefused() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> RedirectDemo.run(out, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedirectDemo.run(out, RedirectDemo.MAX_DEVICES + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2000");
    }
}
