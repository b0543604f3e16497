package dev.descent.train.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The content of an IDX file: its element type, its dimensions and its elements as the file
 * stores them (big-endian).
 */
public final class IdxArray {
    private final IdxType type;
    private final int[] dims;
    private final byte[] data;

    IdxArray(IdxType type, int[] dims, byte[] data) {
        this.type = type;
        this.dims = dims.clone();
        this.data = data;
    }

    public IdxType type() {
        return type;
    }

    public int[] dims() {
        return dims.clone();
    }

    /** The number of elements. */
    public int length() {
        return data.length / type.size();
    }

    /** Every element as a float, multiplied by {@code scale} (1/255 maps bytes to [0, 1]). */
    public float[] toFloatArray(double scale) {
        int n = length();
        float[] out = new float[n];
        if (type == IdxType.UBYTE) {
            // 256 possible values: a table of their scaled floats (the same bits as the general loop)
            float[] table = new float[256];
            for (int v = 0; v < 256; v++) {
                table[v] = (float) (v * scale);
            }
            for (int i = 0; i < n; i++) {
                out[i] = table[data[i] & 0xFF];
            }
            return out;
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < n; i++) {
            out[i] = (float) (element(b, i) * scale);
        }
        return out;
    }

    /** Every element as an int (for labels); floating elements are truncated. */
    public int[] toIntArray() {
        int n = length();
        int[] out = new int[n];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < n; i++) {
            out[i] = (int) element(b, i);
        }
        return out;
    }

    private double element(ByteBuffer b, int i) {
        return switch (type) {
            case UBYTE -> data[i] & 0xFF;
            case BYTE -> data[i];
            case SHORT -> b.getShort(2 * i);
            case INT -> b.getInt(4 * i);
            case FLOAT -> b.getFloat(4 * i);
            case DOUBLE -> b.getDouble(8 * i);
        };
    }

    @Override
    public String toString() {
        return "IDX " + type.name().toLowerCase() + Arrays.toString(dims);
    }
}
