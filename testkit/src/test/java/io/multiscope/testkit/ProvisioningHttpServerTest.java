package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.attestation.Attestations;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.attestation.X509Attestation;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.core.store.InMemoryInventoryStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The provisioning API on the JDK HTTPS adapter, over real TLS: SAS tokens and mutual-TLS X.509 devices. */
class ProvisioningHttpServerTest {

    static final String GROUP_KEY = Base64.getEncoder().encodeToString("group-key-of-32-bytes-for-tests!".getBytes());
    static final TestCertificates PKI = TestCertificates.shared();

    static InMemoryInventoryStore store;
    static ProvisioningHttpServer server;

    @BeforeAll
    static void start() throws Exception {
        store = new InMemoryInventoryStore();
        ZeroTouchProvisioning service = ZeroTouchProvisioning.builder().store(store)
                .instance(DpsInstance.builder("eu").idScope("0ne-eu").region("westeurope").build())
                .attestation(Attestations.anyOf(X509Attestation.trusting(PKI.caCertificate()),
                        SymmetricKeyAttestation.withGroupKey(GROUP_KEY)))
                .build();
        server = ProvisioningHttpServer.https(ProvisioningApi.of(service), PKI.serverKeyManagers(List.of()))
                .requestClientCertificates(true).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(SSLContext tls, String registrationId, String authorization, String body)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.uri() + "/v1/assignments"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body != null ? body
                        : "{\"registrationId\":\"" + registrationId + "\"}"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String sas(String registrationId) {
        return SasToken.forDevice(SasToken.deviceResource("multiscope", registrationId),
                SasToken.deriveDeviceKey(GROUP_KEY, registrationId), Instant.now().plus(Duration.ofMinutes(10)));
    }

    @Test
    void aDeviceWithASasTokenIsAssignedOverHttps() throws Exception {
        HttpResponse<String> first = post(PKI.clientSslContext(), "sas-1", sas("sas-1"), null);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(first.body()).contains("\"idScope\":\"0ne-eu\"");
        assertThat(post(PKI.clientSslContext(), "sas-1", sas("sas-1"), null).statusCode()).isEqualTo(200);
    }

    @Test
    void aDeviceWithATrustedCertificateIsAssignedOverMutualTls() throws Exception {
        HttpResponse<String> r = post(PKI.clientSslContext(PKI.device("x509-1")), "x509-1", null, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        HttpResponse<String> viaIntermediate = post(PKI.clientSslContext(PKI.deviceViaIntermediate("x509-2")),
                "x509-2", null, null);
        assertThat(viaIntermediate.statusCode()).as(viaIntermediate.body()).isEqualTo(201);
    }

    @Test
    void badCertificatesGetAClear401AndChangeNothing() throws Exception {
        HttpResponse<String> untrusted = post(PKI.clientSslContext(PKI.deviceFromOtherCa("bad-1")), "bad-1", null,
                null);
        assertThat(untrusted.statusCode()).isEqualTo(401);
        assertThat(untrusted.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(untrusted.body()).contains("untrusted-certificate");

        HttpResponse<String> expired = post(PKI.clientSslContext(PKI.expiredDevice("bad-2")), "bad-2", null, null);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("certificate-expired");

        HttpResponse<String> otherName = post(PKI.clientSslContext(PKI.device("bad-3-someone-else")), "bad-3", null,
                null);
        assertThat(otherName.statusCode()).isEqualTo(401);
        assertThat(otherName.body()).contains("wrong-device");

        HttpResponse<String> nothing = post(PKI.clientSslContext(), "bad-4", null, null);
        assertThat(nothing.statusCode()).isEqualTo(401);
        assertThat(nothing.body()).contains("authentication-required");

        for (String id : List.of("bad-1", "bad-2", "bad-3", "bad-4")) {
            assertThat(store.findAssignment(id)).as(id).isEmpty();
        }
    }

    @Test
    void anOversizedBodyIsRefusedWithoutReadingItAll() throws Exception {
        String huge = "{\"registrationId\":\"big-1\",\"attributes\":{\"x\":\"" + "a".repeat(200_000) + "\"}}";
        HttpResponse<String> r = post(PKI.clientSslContext(), "big-1", sas("big-1"), huge);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("payload-too-large");
        assertThat(store.findAssignment("big-1")).isEmpty();
    }
}
