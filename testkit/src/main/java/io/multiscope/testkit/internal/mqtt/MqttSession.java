package io.multiscope.testkit.internal.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import io.multiscope.testkit.RequestKind;
import io.multiscope.testkit.internal.dps.DeviceCredentials;
import io.multiscope.testkit.internal.dps.DeviceOperations;
import io.multiscope.testkit.internal.dps.DpsError;
import io.multiscope.testkit.internal.dps.DpsJson;
import io.multiscope.testkit.internal.dps.InstanceRuntime;
import io.multiscope.testkit.internal.dps.RequestGate;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's MQTT connection, speaking DPS's topics: the device authenticates in CONNECT (user name
 * {@code {idScope}/registrations/{id}/...}, SAS token as password, or its TLS client certificate), subscribes to
 * {@code $dps/registrations/res/#}, and publishes register and operation-status requests; each is answered on
 * {@code $dps/registrations/res/{status}/?$rid={n}[&retry-after={s}]} with the same JSON as over HTTPS.
 */
final class MqttSession implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttSession.class);
    private static final Pattern USER_NAME = Pattern.compile("([^/]+)/registrations/([^/]+)/.*");
    private static final Pattern REGISTER = Pattern.compile("\\$dps/registrations/PUT/iotdps-register/\\?\\$rid=(\\d+).*");
    private static final Pattern STATUS = Pattern.compile(
            "\\$dps/registrations/GET/iotdps-get-operationstatus/\\?\\$rid=(\\d+)&operationId=([^&]+).*");
    private static final int CONNACK_ACCEPTED = 0;
    private static final int CONNACK_BAD_USER_NAME_OR_PASSWORD = 4;
    private static final int CONNACK_NOT_AUTHORIZED = 5;

    private final SSLSocket socket;
    private final Map<String, InstanceRuntime> instancesByIdScope;
    private final DeviceOperations operations;
    private final Clock clock;
    private OutputStream out;
    private InstanceRuntime instance;
    private String registrationId;
    private DeviceCredentials credentials;

    MqttSession(SSLSocket socket, Map<String, InstanceRuntime> instancesByIdScope, DeviceOperations operations,
            Clock clock) {
        this.socket = socket;
        this.instancesByIdScope = instancesByIdScope;
        this.operations = operations;
        this.clock = clock;
    }

    @Override
    public void run() {
        try (socket) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            InputStream in = socket.getInputStream();
            out = socket.getOutputStream();
            if (!connect(MqttPacket.read(in))) {
                return;
            }
            // The SDK keeps the connection for the whole registration; its keep-alive is 230 s.
            socket.setSoTimeout(0);
            while (true) {
                MqttPacket packet = MqttPacket.read(in);
                switch (packet.type()) {
                    case MqttPacket.SUBSCRIBE -> subscribe(packet);
                    case MqttPacket.UNSUBSCRIBE -> send(new MqttPacket(MqttPacket.UNSUBACK, 0,
                            new byte[] {packet.body()[0], packet.body()[1]}));
                    case MqttPacket.PUBLISH -> publish(packet);
                    case MqttPacket.PINGREQ -> send(new MqttPacket(MqttPacket.PINGRESP, 0, new byte[0]));
                    case MqttPacket.DISCONNECT -> {
                        return;
                    }
                    default -> throw new IOException("unexpected MQTT packet type " + packet.type());
                }
            }
        } catch (EOFException | SocketException e) {
            LOG.debug("MQTT connection closed", e);
        } catch (IOException e) {
            LOG.debug("MQTT connection failed", e);
        } catch (RuntimeException e) {
            LOG.error("DPS emulator failed on an MQTT connection", e);
        }
    }

    private boolean connect(MqttPacket packet) throws IOException {
        if (packet.type() != MqttPacket.CONNECT) {
            throw new IOException("expected CONNECT, got packet type " + packet.type());
        }
        MqttPacket.Reader r = packet.reader();
        r.string();
        r.u8();
        int flags = r.u8();
        r.u16();
        r.string();
        if ((flags & 0x04) != 0) {
            r.string();
            r.binary();
        }
        String userName = (flags & 0x80) != 0 ? r.string() : "";
        String password = (flags & 0x40) != 0 ? r.string() : null;
        Matcher m = USER_NAME.matcher(userName);
        if (!m.matches()) {
            return refuse(CONNACK_BAD_USER_NAME_OR_PASSWORD);
        }
        instance = instancesByIdScope.get(m.group(1).toLowerCase(Locale.ROOT));
        if (instance == null) {
            return refuse(CONNACK_NOT_AUTHORIZED);
        }
        registrationId = m.group(2);
        credentials = new DeviceCredentials(Optional.ofNullable(password), clientChain());
        try {
            operations.authenticate(instance, registrationId, credentials);
        } catch (DpsError e) {
            if (e.status() == 401) {
                instance.counters().unauthorizedOne();
            }
            return refuse(CONNACK_NOT_AUTHORIZED);
        }
        send(new MqttPacket(MqttPacket.CONNACK, 0, new byte[] {0, CONNACK_ACCEPTED}));
        return true;
    }

    private boolean refuse(int code) throws IOException {
        send(new MqttPacket(MqttPacket.CONNACK, 0, new byte[] {0, (byte) code}));
        return false;
    }

    private void subscribe(MqttPacket packet) throws IOException {
        MqttPacket.Reader r = packet.reader();
        int packetId = r.u16();
        ByteArrayOutputStream granted = new ByteArrayOutputStream();
        granted.write(packetId >> 8);
        granted.write(packetId & 0xff);
        while (r.hasMore()) {
            String filter = r.string();
            r.u8();
            // Answers are published at QoS 0, which a QoS 1 subscription accepts.
            granted.write(filter.startsWith("$dps/registrations/res/") ? 1 : 0x80);
        }
        send(new MqttPacket(MqttPacket.SUBACK, 0, granted.toByteArray()));
    }

    private void publish(MqttPacket packet) throws IOException {
        MqttPacket.Reader r = packet.reader();
        String topic = r.string();
        int qos = (packet.flags() >> 1) & 0x03;
        if (qos > 0) {
            int packetId = r.u16();
            send(new MqttPacket(MqttPacket.PUBACK, 0, new byte[] {(byte) (packetId >> 8), (byte) packetId}));
        }
        byte[] payload = r.rest();
        Matcher register = REGISTER.matcher(topic);
        Matcher status = STATUS.matcher(topic);
        if (register.matches()) {
            answer(register.group(1), RequestKind.REGISTER,
                    () -> operations.register(instance, registrationId, credentials, payload));
        } else if (status.matches()) {
            answer(status.group(1), RequestKind.OPERATION_STATUS,
                    () -> operations.poll(instance, registrationId, status.group(2), credentials));
        } else {
            LOG.debug("ignoring MQTT publish to {}", topic);
        }
    }

    /** An operation that produces an answer or throws {@link DpsError}. */
    @FunctionalInterface
    private interface Operation {
        DeviceOperations.Answer run();
    }

    private void answer(String requestId, RequestKind kind, Operation operation) throws IOException {
        try {
            RequestGate.run(instance, kind, this::drop, () -> {
                DeviceOperations.Answer answer = operation.run();
                respond(requestId, answer.status(), answer.body(), answer.retryAfterSeconds().orElse(0));
            });
        } catch (DpsError e) {
            respond(requestId, e.status(), DpsJson.MAPPER.readTree(DpsJson.errorBody(e.errorCode(), e.getMessage(),
                    clock.instant())), e.retryAfterSeconds().orElse(0));
        }
    }

    private void respond(String requestId, int status, JsonNode body, int retryAfterSeconds) throws IOException {
        // retry-after must not come first: the SDK reads it from the second '&'-separated part on.
        String topic = "$dps/registrations/res/" + status + "/?$rid=" + requestId
                + (retryAfterSeconds > 0 ? "&retry-after=" + retryAfterSeconds : "");
        send(MqttPacket.publish(topic, DpsJson.write(body)));
    }

    private void drop() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing dropped MQTT connection", e);
        }
    }

    private synchronized void send(MqttPacket packet) throws IOException {
        out.write(packet.encode());
        out.flush();
    }

    private List<X509Certificate> clientChain() {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : socket.getSession().getPeerCertificates()) {
                chain.add((X509Certificate) c);
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }
}
