package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
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

    /**
     * Checks everything {@link Optimizer#loadState} needs of this state to succeed in {@code into}
     * without changing it: the optimiser's kind, the groups and their sizes, each saved
     * hyper-parameter known to the group with the same kind (number or flag) and accepted by
     * the optimiser's own range checks, and each state tensor of a parameter's dtype and shape.
     * A restore that must be all-or-nothing calls it before changing anything.
     *
     * @throws IllegalArgumentException naming the first mismatch
     */
    public void checkFits(Optimizer into) {
        String op = into.name() + ".loadState";
        Check.argument(optimizer.equals(into.name()), op, "the state was saved by %s, not %s", optimizer, into.name());
        List<ParamGroup> live = into.paramGroups();
        Check.argument(groups.size() == live.size(), op, "the state has %d parameter groups, expected %d",
                groups.size(), live.size());
        int k = 0;
        for (int gi = 0; gi < live.size(); gi++) {
            ParamGroup g = live.get(gi);
            Check.argument(groupSizes.get(gi) == g.params().size(), op,
                    "group %d has %d parameters in the state, expected %d", gi, groupSizes.get(gi), g.params().size());
            Map<String, Object> merged = new LinkedHashMap<>(g.values());
            for (Map.Entry<String, Object> e : groups.get(gi).entrySet()) {
                Object now = merged.get(e.getKey());
                Check.argument(now != null, op, "group %d's saved hyper-parameter '%s' is not one of %s", gi,
                        e.getKey(), g.values().keySet());
                Check.argument(now.getClass() == e.getValue().getClass(), op,
                        "group %d's '%s' is saved as a %s, expected a %s", gi, e.getKey(), kind(e.getValue()), kind(now));
                merged.put(e.getKey(), e.getValue());
            }
            into.validate(new ParamGroup(into.name(), g.params(), merged));
            for (Variable p : g.params()) {
                Check.argument(k < params.size(), op, "the state has %d parameter entries, expected more", params.size());
                for (Map.Entry<String, HostTensor> t : params.get(k).tensors().entrySet()) {
                    HostTensor h = t.getValue();
                    Check.argument(h.dtype() == p.dtype() && Arrays.equals(h.shape(), p.shape().dims()), op,
                            "parameter %d is %s but its saved state '%s' holds %s%s", k, p.describe(), t.getKey(),
                            h.dtype(), Arrays.toString(h.shape()));
                }
                k++;
            }
        }
        Check.argument(k == params.size(), op, "the state has %d parameter entries, expected %d", params.size(), k);
    }

    private static String kind(Object v) {
        return v instanceof Boolean ? "flag" : "number";
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
     * Reads a state written by {@link #write}; the stream is read to its end.
     *
     * @throws IOException when the stream is not an optimiser state, is truncated or holds bytes after it
     */
    public static OptimizerState read(InputStream in) throws IOException {
        return read(in.readAllBytes(), "OptimizerState.read");
    }

    /**
     * Reads a state written by {@link #write} from {@code bytes}; {@code source} (a file's name)
     * starts every error message. Every count and size is checked against the bytes that remain
     * before anything is allocated, so a corrupt or crafted state cannot ask for more memory than
     * its own length; the state must end exactly where the bytes do.
     *
     * @throws IOException naming {@code source} and what is wrong
     */
    public static OptimizerState read(byte[] bytes, String source) throws IOException {
        StateReader r = new StateReader(bytes, source);
        try {
            OptimizerState s = readFrom(r);
            if (r.remaining() > 0) {
                throw r.bad(r.remaining() + " unexpected byte(s) after the state's end");
            }
            return s;
        } catch (EOFException e) {
            throw r.bad("the state ends early (truncated)");
        } catch (UTFDataFormatException e) {
            throw r.bad("a name is not valid modified UTF-8 (" + e.getMessage() + ")");
        }
    }

    private static OptimizerState readFrom(StateReader r) throws IOException {
        DataInputStream d = r.in;
        int magic = d.readInt();
        if (magic != MAGIC) {
            throw r.bad("not an optimiser state (magic " + Integer.toHexString(magic) + ", expected "
                    + Integer.toHexString(MAGIC) + ")");
        }
        int version = d.readInt();
        if (version != VERSION) {
            throw r.bad("unsupported version " + version + ", expected " + VERSION);
        }
        String optimizer = d.readUTF();
        long step = d.readLong();
        if (step < 0) {
            throw r.bad("the step counter is " + step + ", expected >= 0");
        }
        // a group takes at least 8 bytes (its size and value count), a value 11, a parameter's entry 8
        int ng = r.count("parameter groups", 8);
        List<Map<String, Object>> groups = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        long parameters = 0;
        for (int g = 0; g < ng; g++) {
            int size = r.count("parameters in group " + g, 8);
            sizes.add(size);
            parameters += size;
            int nv = r.count("hyper-parameters in group " + g, 11);
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < nv; i++) {
                String k = d.readUTF();
                byte kind = d.readByte();
                Object v = switch (kind) {
                    case 0 -> d.readDouble();
                    case 1 -> r.bool(d.readByte(), "group " + g + "'s flag '" + k + "'");
                    default -> throw r.bad("group " + g + "'s '" + k + "' has kind " + kind
                            + ", expected 0 (a number) or 1 (a flag)");
                };
                if (v instanceof Double x && Double.isNaN(x)) {
                    throw r.bad("group " + g + "'s '" + k + "' is NaN, expected a number");
                }
                if (values.put(k, v) != null) {
                    throw r.bad("group " + g + " has '" + k + "' twice");
                }
            }
            groups.add(values);
        }
        int np = r.count("parameter entries", 8);
        if (np != parameters) {
            throw r.bad("the groups hold " + parameters + " parameters but the state has " + np + " entries");
        }
        List<Entry> params = new ArrayList<>();
        for (int i = 0; i < np; i++) {
            params.add(readEntry(r, "parameter " + i));
        }
        return new OptimizerState(optimizer, step, groups, sizes, params, readEntry(r, "the optimiser-wide state"));
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

    private static Entry readEntry(StateReader r, String owner) throws IOException {
        DataInputStream d = r.in;
        Map<String, Double> scalars = new LinkedHashMap<>();
        int ns = r.count("scalars of " + owner, 10);
        for (int i = 0; i < ns; i++) {
            String name = d.readUTF();
            if (scalars.put(name, d.readDouble()) != null) {
                throw r.bad(owner + " has the scalar '" + name + "' twice");
            }
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        int nt = r.count("tensors of " + owner, 12);
        for (int i = 0; i < nt; i++) {
            String name = d.readUTF();
            String where = "state tensor '" + name + "' of " + owner;
            String dn = d.readUTF();
            DType dtype;
            if (dn.equals(DType.FLOAT32.name())) {
                dtype = DType.FLOAT32;
            } else if (dn.equals(DType.FLOAT64.name())) {
                dtype = DType.FLOAT64;
            } else {
                throw r.bad(where + " has dtype '" + dn + "', expected FLOAT32 or FLOAT64");
            }
            int rank = r.count("dimensions of " + where, 4);
            int[] shape = new int[rank];
            long expected = 1;
            for (int k = 0; k < rank; k++) {
                shape[k] = d.readInt();
                if (shape[k] < 0) {
                    throw r.bad(where + " has dimension " + k + " = " + shape[k] + ", expected >= 0");
                }
                expected = Math.min(1L << 31, expected * shape[k]);  // capped: n is an int
            }
            int n = d.readInt();
            if (n != expected) {
                throw r.bad(where + " of shape " + Arrays.toString(shape) + " has " + n + " values, expected "
                        + (expected > Integer.MAX_VALUE ? "more than 2^31 - 1" : Long.toString(expected)));
            }
            r.need((long) n * dtype.byteSize(), "the " + n + " values of " + where);
            Object data;
            if (dtype == DType.FLOAT32) {
                float[] f = new float[n];
                for (int k = 0; k < n; k++) {
                    f[k] = Float.intBitsToFloat(d.readInt());
                }
                data = f;
            } else {
                double[] f = new double[n];
                for (int k = 0; k < n; k++) {
                    f[k] = Double.longBitsToDouble(d.readLong());
                }
                data = f;
            }
            if (tensors.put(name, new HostTensor(dtype, shape, data)) != null) {
                throw r.bad(owner + " has the state tensor '" + name + "' twice");
            }
        }
        return new Entry(scalars, tensors);
    }

    /** The bytes being read, with how many remain: every count is checked against them before it is used. */
    private static final class StateReader {
        final ByteArrayInputStream raw;
        final DataInputStream in;
        final String source;

        StateReader(byte[] bytes, String source) {
            this.raw = new ByteArrayInputStream(bytes);
            this.in = new DataInputStream(raw);
            this.source = source;
        }

        int remaining() {
            return raw.available();
        }

        IOException bad(String what) {
            return new IOException(source + ": " + what);
        }

        /** A count of items that take at least {@code minBytes} each: >= 0 and not more than the bytes left hold. */
        int count(String what, int minBytes) throws IOException {
            int n = in.readInt();
            if (n < 0 || (long) n * minBytes > remaining()) {
                throw bad("the number of " + what + " is " + n + ", expected 0 to " + remaining() / minBytes
                        + " (what the remaining " + remaining() + " bytes can hold; truncated or corrupt?)");
            }
            return n;
        }

        void need(long bytes, String what) throws IOException {
            if (bytes > remaining()) {
                throw bad("truncated: " + what + " need " + bytes + " bytes, " + remaining() + " remain");
            }
        }

        boolean bool(byte b, String what) throws IOException {
            if (b != 0 && b != 1) {
                throw bad(what + " is " + b + ", expected 0 or 1");
            }
            return b == 1;
        }
    }
}
