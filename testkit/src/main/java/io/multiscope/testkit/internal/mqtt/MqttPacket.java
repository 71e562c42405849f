package io.multiscope.testkit.internal.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * One MQTT 3.1.1 control packet: its type, the flags of its fixed header and the rest of its bytes; plus the
 * encoding helpers the emulator's few packets need.
 */
record MqttPacket(int type, int flags, byte[] body) {

    static final int CONNECT = 1;
    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int SUBSCRIBE = 8;
    static final int SUBACK = 9;
    static final int UNSUBSCRIBE = 10;
    static final int UNSUBACK = 11;
    static final int PINGREQ = 12;
    static final int PINGRESP = 13;
    static final int DISCONNECT = 14;

    /** Larger than the DPS message limit with room for topics; anything bigger is refused. */
    static final int MAX_REMAINING_LENGTH = 128 * 1024;

    /**
     * Reads one packet.
     *
     * @throws EOFException when the connection closes between packets
     */
    static MqttPacket read(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException("connection closed");
        }
        int length = 0;
        int multiplier = 1;
        for (int i = 0; ; i++) {
            int b = in.read();
            if (b < 0 || i == 4) {
                throw new IOException("malformed remaining length");
            }
            length += (b & 0x7f) * multiplier;
            if ((b & 0x80) == 0) {
                break;
            }
            multiplier *= 128;
        }
        if (length > MAX_REMAINING_LENGTH) {
            throw new IOException("packet of " + length + " bytes is too large");
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new EOFException("connection closed inside a packet");
        }
        return new MqttPacket(first >> 4, first & 0x0f, body);
    }

    /** The packet's bytes on the wire. */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 5);
        out.write((type << 4) | flags);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** A QoS 0 PUBLISH. */
    static MqttPacket publish(String topic, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic);
        body.writeBytes(payload);
        return new MqttPacket(PUBLISH, 0, body.toByteArray());
    }

    static void writeString(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xff);
        out.writeBytes(bytes);
    }

    /** Reads the packet body field by field. */
    Reader reader() {
        return new Reader(body);
    }

    /** Sequential reads of MQTT's big-endian integers and length-prefixed strings. */
    static final class Reader {

        private final byte[] bytes;
        private int position;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        int u8() throws IOException {
            need(1);
            return bytes[position++] & 0xff;
        }

        int u16() throws IOException {
            need(2);
            int value = ((bytes[position] & 0xff) << 8) | (bytes[position + 1] & 0xff);
            position += 2;
            return value;
        }

        byte[] binary() throws IOException {
            int length = u16();
            need(length);
            byte[] value = java.util.Arrays.copyOfRange(bytes, position, position + length);
            position += length;
            return value;
        }

        String string() throws IOException {
            return new String(binary(), StandardCharsets.UTF_8);
        }

        byte[] rest() {
            byte[] value = java.util.Arrays.copyOfRange(bytes, position, bytes.length);
            position = bytes.length;
            return value;
        }

        boolean hasMore() {
            return position < bytes.length;
        }

        private void need(int n) throws IOException {
            if (position + n > bytes.length) {
                throw new IOException("packet ends early");
            }
        }
    }
}
