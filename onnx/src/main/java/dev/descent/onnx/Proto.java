package dev.descent.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A protocol-buffers message being written: the wire format's three encodings that ONNX files
 * use (varints, 32-bit floats, length-delimited bytes and nested messages). Fields are written
 * in the order called, as the format allows (see protobuf's "Encoding" guide; field numbers
 * are those of {@code onnx/onnx.proto}).
 */
final class Proto {
    private static final int VARINT = 0;
    private static final int FIXED32 = 5;
    private static final int LENGTH_DELIMITED = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** An int32, int64 or enum field. */
    Proto varint(int field, long value) {
        tag(field, VARINT);
        raw(value);
        return this;
    }

    /** A float field. */
    Proto float32(int field, float value) {
        tag(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    Proto string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        raw(value.length);
        out.writeBytes(value);
        return this;
    }

    Proto message(int field, Proto message) {
        return bytes(field, message.toBytes());
    }

    /** A packed repeated int64 field (proto3's default for repeated scalars). */
    Proto packed(int field, long[] values) {
        Proto p = new Proto();
        for (long v : values) {
            p.raw(v);
        }
        return bytes(field, p.toBytes());
    }

    byte[] toBytes() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        raw(((long) field << 3) | wireType);
    }

    private void raw(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
