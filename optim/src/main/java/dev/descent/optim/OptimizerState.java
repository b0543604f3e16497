package dev.descent.optim;

import dev.descent.core.DType;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A copy of an optimiser's state on the host, as PyTorch's {@code state_dict()}: the step
 * counter, every group's hyper-parameters, and every parameter's state (tensors copied bit for
 * bit, numbers as doubles), the parameters identified by their position across the groups.
 * {@link #write} and {@link #read} give it a binary form for checkpoints. Restoring it with
 * {@link Optimizer#loadState} makes the next steps exactly those an uninterrupted run takes.
 */
public final class OptimizerState {
    private static final int MAGIC = 0x44_4F_50_54; // "DOPT"
    private static final int VERSION = 1;

    /** One state tensor on the host: {@code float[]} for float32, {@code double[]} for float64. */
    public record HostTensor(DType dtype, int[] shape, Object data) {
    }

    /** One parameter's state (or the optimiser-wide state). */
    public record Entry(Map<String, Double> scalars, Map<String, HostTensor> tensors) {
    }

    final String optimizer;
    final long stepCount;
    final List<Map<String, Object>> groups;
    final List<Integer> groupSizes;
    final List<Entry> params;
    final Entry global;

    OptimizerState(String optimizer, long stepCount, List<Map<String, Object>> groups, List<Integer> groupSizes,
            List<Entry> params, Entry global) {
        this.optimizer = optimizer;
        this.stepCount = stepCount;
        this.groups = groups;
        this.groupSizes = groupSizes;
        this.params = params;
        this.global = global;
    }

    public String optimizer() {
        return optimizer;
    }

    public long stepCount() {
        return stepCount;
    }

    /** The hyper-parameters of each group. */
    public List<Map<String, Object>> groups() {
        return groups;
    }

    /** The state of each parameter, in group order. */
    public List<Entry> params() {
        return params;
    }

    /** Writes the state in a binary form that {@link #read} restores exactly. */
    public void write(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(MAGIC);
        d.writeInt(VERSION);
        d.writeUTF(optimizer);
        d.writeLong(stepCount);
        d.writeInt(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            d.writeInt(groupSizes.get(g));
            d.writeInt(groups.get(g).size());
            for (Map.Entry<String, Object> e : groups.get(g).entrySet()) {
                d.writeUTF(e.getKey());
                if (e.getValue() instanceof Boolean b) {
                    d.writeByte(1);
                    d.writeBoolean(b);
                } else {
                    d.writeByte(0);
                    d.writeDouble((Double) e.getValue());
                }
            }
        }
        d.writeInt(params.size());
        for (Entry e : params) {
            writeEntry(d, e);
        }
        writeEntry(d, global);
        d.flush();
    }

    /**
     * Reads a state written by {@link #write}.
     *
     * @throws IOException when the stream is not an optimiser state or is truncated
     */
    public static OptimizerState read(InputStream in) throws IOException {
        try {
            return readFrom(new DataInputStream(in));
        } catch (java.io.EOFException e) {
            throw new IOException("OptimizerState.read: the stream ends early; the saved state is truncated", e);
        }
    }

    private static OptimizerState readFrom(DataInputStream d) throws IOException {
        int magic = d.readInt();
        if (magic != MAGIC) {
            throw new IOException("OptimizerState.read: not an optimiser state (magic " + Integer.toHexString(magic)
                    + ", expected " + Integer.toHexString(MAGIC) + ")");
        }
        int version = d.readInt();
        if (version != VERSION) {
            throw new IOException("OptimizerState.read: unsupported version " + version + ", expected " + VERSION);
        }
        String optimizer = d.readUTF();
        long step = d.readLong();
        int ng = d.readInt();
        List<Map<String, Object>> groups = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int g = 0; g < ng; g++) {
            sizes.add(d.readInt());
            int nv = d.readInt();
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < nv; i++) {
                String k = d.readUTF();
                values.put(k, d.readByte() == 1 ? (Object) d.readBoolean() : (Object) d.readDouble());
            }
            groups.add(values);
        }
        int np = d.readInt();
        List<Entry> params = new ArrayList<>();
        for (int i = 0; i < np; i++) {
            params.add(readEntry(d));
        }
        return new OptimizerState(optimizer, step, groups, sizes, params, readEntry(d));
    }

    private static void writeEntry(DataOutputStream d, Entry e) throws IOException {
        d.writeInt(e.scalars().size());
        for (Map.Entry<String, Double> s : e.scalars().entrySet()) {
            d.writeUTF(s.getKey());
            d.writeDouble(s.getValue());
        }
        d.writeInt(e.tensors().size());
        for (Map.Entry<String, HostTensor> t : e.tensors().entrySet()) {
            d.writeUTF(t.getKey());
            HostTensor h = t.getValue();
            d.writeUTF(h.dtype().name());
            d.writeInt(h.shape().length);
            for (int s : h.shape()) {
                d.writeInt(s);
            }
            if (h.data() instanceof float[] f) {
                d.writeInt(f.length);
                for (float x : f) {
                    d.writeInt(Float.floatToRawIntBits(x));
                }
            } else {
                double[] f = (double[]) h.data();
                d.writeInt(f.length);
                for (double x : f) {
                    d.writeLong(Double.doubleToRawLongBits(x));
                }
            }
        }
    }

    private static Entry readEntry(DataInputStream d) throws IOException {
        Map<String, Double> scalars = new LinkedHashMap<>();
        int ns = d.readInt();
        for (int i = 0; i < ns; i++) {
            scalars.put(d.readUTF(), d.readDouble());
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        int nt = d.readInt();
        for (int i = 0; i < nt; i++) {
            String name = d.readUTF();
            DType dtype;
            String dn = d.readUTF();
            try {
                dtype = DType.valueOf(dn);
            } catch (IllegalArgumentException e) {
                throw new IOException("OptimizerState.read: unknown dtype " + dn + " for state tensor '" + name + "'");
            }
            int rank = d.readInt();
            int[] shape = new int[rank];
            for (int k = 0; k < rank; k++) {
                shape[k] = d.readInt();
            }
            int n = d.readInt();
            long expected = 1;
            for (int s : shape) {
                expected *= s;
            }
            if (n != expected || n < 0) {
                throw new IOException("OptimizerState.read: state tensor '" + name + "' of shape " + Arrays.toString(shape)
                        + " has " + n + " values, expected " + expected);
            }
            Object data;
            if (dtype == DType.FLOAT32) {
                float[] f = new float[n];
                for (int k = 0; k < n; k++) {
                    f[k] = Float.intBitsToFloat(d.readInt());
                }
                data = f;
            } else if (dtype == DType.FLOAT64) {
                double[] f = new double[n];
                for (int k = 0; k < n; k++) {
                    f[k] = Double.longBitsToDouble(d.readLong());
                }
                data = f;
            } else {
                throw new IOException("OptimizerState.read: state tensor '" + name + "' has dtype " + dtype
                        + ", expected float32 or float64");
            }
            tensors.put(name, new HostTensor(dtype, shape, data));
        }
        return new Entry(scalars, tensors);
    }
}
