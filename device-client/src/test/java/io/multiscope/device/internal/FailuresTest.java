package io.multiscope.device.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceClientException;
import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceHubException;
import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceTransportException;
import io.multiscope.device.FailureKind;
import io.multiscope.device.ProvisioningEvent.Step;
import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The SDK's exceptions as they reach a caller of registerDeviceSync (see dps-wire-protocol §1.5, §1.6). */
class FailuresTest {

    static Exception wrapped(String hubMessage) {
        return new ProvisioningDeviceClientException("Failed to register",
                new ExecutionException(new ProvisioningDeviceHubException(hubMessage)));
    }

    @Test
    void unwrapsHttpErrorsFromTheSdksMessages() {
        AttemptFailure throttled = Failures.sdk(Step.DPS_REGISTER, wrapped(
                "429 : 429 : {\"errorCode\":429001,\"trackingId\":\"t\",\"message\":\"Operations are being throttled\"}"));
        assertThat(throttled.kind()).isEqualTo(FailureKind.THROTTLED);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.retryAfter()).isEmpty();
        assertThat(throttled.getMessage()).contains("HTTP 429", "Operations are being throttled");

        assertThat(Failures.sdk(Step.DPS_REGISTER, wrapped("503 : 503 : {}")).kind())
                .isEqualTo(FailureKind.TRANSIENT);
        for (int status : new int[] {401, 403, 404}) {
            assertThat(Failures.sdk(Step.DPS_REGISTER, wrapped(status + " : " + status + " : {}")).kind())
                    .as("%d", status).isEqualTo(FailureKind.REREGISTER);
        }
        for (int status : new int[] {400, 405, 409, 412, 413}) {
            assertThat(Failures.sdk(Step.DPS_REGISTER, wrapped(status + " : " + status + " : x")).kind())
                    .as("%d", status).isEqualTo(FailureKind.PERMANENT);
        }
    }

    @Test
    void aRegistrationThatEndedFailedIsClassifiedByItsDpsErrorCode() {
        ProvisioningDeviceHubException failed = new ProvisioningDeviceHubException("Custom allocation failed");
        failed.setErrorCode(400209);
        assertThat(Failures.sdk(Step.DPS_REGISTER, failed).kind()).isEqualTo(FailureKind.PERMANENT);
        ProvisioningDeviceHubException busy = new ProvisioningDeviceHubException("busy");
        busy.setErrorCode(503001);
        assertThat(Failures.sdk(Step.DPS_REGISTER, busy).kind()).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void readsTheMqttTransportsServiceErrors() {
        AttemptFailure f = Failures.sdk(Step.DPS_REGISTER, new ProvisioningDeviceClientException(
                "Service error: 429001 - Operations are being throttled - TrackingId: x"));
        assertThat(f.kind()).isEqualTo(FailureKind.THROTTLED);
        assertThat(f.status()).isEqualTo(429);
    }

    @Test
    void transportErrorsAndTimeoutsAreTransientButAnUntrustedServerIsNot() {
        assertThat(Failures.sdk(Step.DPS_REGISTER, new ProvisioningDeviceTransportException(
                new ConnectException("Connection refused"))).kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(Failures.sdk(Step.DPS_REGISTER, new ProvisioningDeviceClientException(
                "Timed out waiting for registration to complete")).kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(Failures.sdk(Step.DPS_REGISTER, new ProvisioningDeviceClientException("Did not receive a valid "
                + "status")).kind()).isEqualTo(FailureKind.TRANSIENT);
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path"));
        AttemptFailure f = Failures.sdk(Step.DPS_REGISTER, new ProvisioningDeviceTransportException(untrusted));
        assertThat(f.kind()).isEqualTo(FailureKind.PERMANENT);
        assertThat(f.getMessage()).contains("trustedCas");
        assertThat(Failures.io(Step.API_LOOKUP, new IOException("reset")).kind()).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(Failures.parseRetryAfter("7", now)).contains(Duration.ofSeconds(7));
        assertThat(Failures.parseRetryAfter(" 0 ", now)).contains(Duration.ZERO);
        assertThat(Failures.parseRetryAfter("Thu, 01 Jan 2026 00:01:30 GMT", now)).contains(Duration.ofSeconds(90));
        assertThat(Failures.parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).isEmpty();
        assertThat(Failures.parseRetryAfter("1.5", now)).isEmpty();
        assertThat(Failures.parseRetryAfter("soon", now)).isEmpty();
    }

    @Test
    void httpAnswersKeepTheirRetryAfterAndProblemDetail() {
        AttemptFailure f = Failures.http(Step.API_REQUEST, 429, Optional.of("12"),
                "{\"type\":\"https://multiscope.io/problems/deferred\",\"detail\":\"come back later\"}",
                Instant.EPOCH);
        assertThat(f.retryAfter()).contains(Duration.ofSeconds(12));
        assertThat(f.getMessage()).contains("come back later");
        assertThat(Failures.http(Step.API_REQUEST, 302, Optional.empty(), "", Instant.EPOCH).kind())
                .isEqualTo(FailureKind.PERMANENT);
    }
}
