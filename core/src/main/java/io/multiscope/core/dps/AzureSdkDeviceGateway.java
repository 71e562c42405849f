package io.multiscope.core.dps;

import com.microsoft.azure.sdk.iot.provisioning.device.AdditionalData;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceClientException;
import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceHubException;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderSymmetricKey;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.dps.internal.DpsErrorMessages;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * Registers devices through the real Azure provisioning device client ({@code provisioning-device-client}) over HTTPS,
 * one short-lived client per registration, as the SDK is built to be used.
 *
 * <p><b>Cost.</b> The SDK has no connection reuse and starts its own threads for every client (a one-thread executor
 * in the client and a two-thread executor per registration task), so each registration costs a TLS handshake and
 * three short-lived threads on top of the caller's. The proxy bounds how many run at once
 * ({@code ProxyProvisioningService.Builder#registrationThreads}).
 *
 * <p><b>TLS.</b> The SDK takes its TLS settings from the security provider only. By default that is the JDK's trust
 * store, right for the real DPS; {@link Builder#sslContext} replaces it (a test CA for an emulator, a pinned trust
 * store in a locked-down deployment) without touching JVM-wide settings.
 *
 * <p><b>Errors.</b> The SDK never retries and reports an HTTP error as a message {@code "<status> : <status> :
 * <body>"}; this class turns that into a {@link DpsCallException} with the status (and a retry hint if the body has
 * one) so the caller's retry policy can decide.
 */
public final class AzureSdkDeviceGateway implements DpsDeviceGateway {

    private final SSLContext sslContext;
    private final int timeoutSeconds;

    private AzureSdkDeviceGateway(Builder b) {
        this.sslContext = b.sslContext;
        this.timeoutSeconds = (int) b.timeout.toSeconds();
    }

    /** A gateway that trusts the JDK's default CAs and waits up to 60 s per registration. */
    public static AzureSdkDeviceGateway create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public DpsRegistration register(DpsInstance instance, String registrationId, String deviceKeyBase64,
            Optional<String> payloadJson) {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(deviceKeyBase64, "deviceKeyBase64");
        Objects.requireNonNull(payloadJson, "payloadJson");
        ProvisioningDeviceClient client;
        try {
            client = ProvisioningDeviceClient.create(instance.globalEndpoint(), instance.idScope(),
                    ProvisioningDeviceClientTransportProtocol.HTTPS, new KeyProvider(deviceKeyBase64, registrationId,
                            sslContext));
        } catch (ProvisioningDeviceClientException e) {
            throw new DpsCallException("Cannot create a DPS client for instance '" + instance.id() + "': "
                    + e.getMessage(), registrationId, instance.id(), DpsCallException.NO_ANSWER, Optional.empty(),
                    false, e);
        }
        try {
            ProvisioningDeviceClientRegistrationResult result;
            if (payloadJson.isPresent()) {
                AdditionalData data = new AdditionalData();
                data.setProvisioningPayload(payloadJson.get());
                result = client.registerDeviceSync(data, timeoutSeconds);
            } else {
                result = client.registerDeviceSync(timeoutSeconds);
            }
            return toRegistration(instance, registrationId, result);
        } catch (ProvisioningDeviceClientException e) {
            throw translate(instance, registrationId, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DpsCallException("Interrupted while registering device '" + registrationId + "' with DPS "
                    + "instance '" + instance.id() + "'", registrationId, instance.id(), DpsCallException.NO_ANSWER,
                    Optional.empty(), e);
        } finally {
            client.close();
        }
    }

    private static DpsRegistration toRegistration(DpsInstance instance, String registrationId,
            ProvisioningDeviceClientRegistrationResult result) {
        if (result.getProvisioningDeviceClientStatus()
                != ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED
                || result.getIothubUri() == null || result.getDeviceId() == null) {
            throw new DpsCallException("DPS instance '" + instance.id() + "' did not assign device '"
                    + registrationId + "' (status " + result.getStatus() + ")", registrationId, instance.id(), 400,
                    Optional.empty(), null);
        }
        String payload = result.getProvisioningPayload();
        return new DpsRegistration(result.getRegistrationId() != null ? result.getRegistrationId() : registrationId,
                result.getIothubUri(), result.getDeviceId(),
                payload == null || payload.isBlank() || payload.equals("null") ? Optional.empty()
                        : Optional.of(payload));
    }

    /** The SDK wraps the interesting failure in one or two layers; find it and classify it. */
    private static DpsCallException translate(DpsInstance instance, String registrationId,
            ProvisioningDeviceClientException e) {
        String where = "device '" + registrationId + "' on DPS instance '" + instance.id() + "'";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProvisioningDeviceHubException hub) {
                OptionalInt status = DpsErrorMessages.status(hub.getMessage());
                if (status.isPresent()) {
                    return new DpsCallException("DPS answered " + status.getAsInt() + " registering " + where + ": "
                            + DpsErrorMessages.describe(hub.getMessage()), registrationId, instance.id(),
                            status.getAsInt(), DpsErrorMessages.retryAfter(hub.getMessage()), hub);
                }
                // A registration DPS ended as "failed" or "disabled": its errorCode is status × 1000 + n.
                int code = hub.getErrorCode();
                int httpStatus = code >= 100_000 && code < 600_000 ? code / 1000 : 400;
                return new DpsCallException("DPS refused " + where + ": " + DpsErrorMessages.describe(hub.getMessage())
                        + (code != 0 ? " (errorCode " + code + ")" : ""), registrationId, instance.id(), httpStatus,
                        Optional.empty(), hub);
            }
            if (t instanceof SSLHandshakeException || t instanceof CertificateException) {
                return new DpsCallException("TLS with DPS instance '" + instance.id() + "' (" + instance.globalEndpoint()
                        + ") failed registering " + where + ": " + t.getMessage()
                        + "; is its certificate trusted by the gateway's SSLContext?", registrationId, instance.id(),
                        DpsCallException.NO_ANSWER, Optional.empty(), false, e);
            }
        }
        return new DpsCallException("No answer from DPS instance '" + instance.id() + "' (" + instance.globalEndpoint()
                + ") registering " + where + ": " + rootMessage(e), registrationId, instance.id(),
                DpsCallException.NO_ANSWER, Optional.empty(), e);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() != null ? ": " + root.getMessage() : "");
    }

    /** The SDK's symmetric-key provider, with the gateway's TLS context when one is configured. */
    private static final class KeyProvider extends SecurityProviderSymmetricKey {
        private final SSLContext sslContext;

        KeyProvider(String deviceKeyBase64, String registrationId, SSLContext sslContext) {
            // The SDK wants the UTF-8 bytes of the base64 text, not the decoded key.
            super(deviceKeyBase64.getBytes(StandardCharsets.UTF_8), registrationId);
            this.sslContext = sslContext;
        }

        @Override
        public SSLContext getSSLContext() throws com.microsoft.azure.sdk.iot.provisioning.security.exceptions
                .SecurityProviderException {
            return sslContext != null ? sslContext : super.getSSLContext();
        }
    }

    /** Configures an {@link AzureSdkDeviceGateway}. */
    public static final class Builder {
        private SSLContext sslContext;
        private Duration timeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** The TLS context for DPS connections; the JDK's default trust store if not set. */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /** How long one registration may take, polls included (1 s to 10 min; default 60 s, the SDK's own). */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("timeout must be 1 s to 10 min, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public AzureSdkDeviceGateway build() {
            return new AzureSdkDeviceGateway(this);
        }
    }
}
