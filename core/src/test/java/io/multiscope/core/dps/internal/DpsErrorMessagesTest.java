package io.multiscope.core.dps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DpsErrorMessagesTest {

    static final String THROTTLED = "429 : 429 : {\"errorCode\":429001,\"trackingId\":\"t-1\","
            + "\"message\":\"Operations are being throttled for this tenant.\",\"timestampUtc\":\"2026-01-01T00:00:00Z\"}";

    @Test
    void readsTheStatusAndMessageTheDeviceSdkLeaves() {
        assertThat(DpsErrorMessages.status(THROTTLED)).hasValue(429);
        assertThat(DpsErrorMessages.status("503 : 503 : ")).hasValue(503);
        assertThat(DpsErrorMessages.status("401 : {\"message\":\"no\"}")).hasValue(401);
        assertThat(DpsErrorMessages.describe(THROTTLED)).isEqualTo("Operations are being throttled for this tenant.");
        assertThat(DpsErrorMessages.status("Custom allocation failed with status code: 400")).isEmpty();
        assertThat(DpsErrorMessages.status(null)).isEmpty();
    }

    @Test
    void findsARetryHintInTheBodyWhenThereIsOne() {
        assertThat(DpsErrorMessages.retryAfter(THROTTLED)).isEmpty();
        assertThat(DpsErrorMessages.retryAfter("429 : 429 : {\"errorCode\":429001,\"retryAfter\":7}"))
                .contains(Duration.ofSeconds(7));
        assertThat(DpsErrorMessages.retryAfter("429 : 429 : {\"info\":{\"retry-after\":\"2.5\"}}"))
                .contains(Duration.ofMillis(2500));
        assertThat(DpsErrorMessages.retryAfter("429 : 429 : {\"retryAfter\":-1}")).isEmpty();
        assertThat(DpsErrorMessages.retryAfter("429 : 429 : not json")).isEmpty();
    }

    @Test
    void describeKeepsControlCharactersAndLengthInCheck() {
        String longBody = "500 : 500 : " + "x".repeat(500) + "\nforged line";
        assertThat(DpsErrorMessages.describe(longBody)).hasSize(203).doesNotContain("\n");
    }
}
