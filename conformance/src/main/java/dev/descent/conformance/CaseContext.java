package dev.descent.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.function.Executable;

/**
 * What one conformance case works with: the device under test, a generator seeded for this
 * case alone, input builders for every layout, and checks whose failures carry the detail
 * the report shows (op, case, worst element, its errors and its index).
 */
public final class CaseContext {
    private static final double INT_SENTINEL = 1_000_003;
    private final Device device;
    private final Generator gen;
    private final String caseName;
    private Comparison worst;

    CaseContext(Device device, Generator gen, String caseName) {
        this.device = device;
        this.gen = gen;
        this.caseName = caseName;
    }

    public Device device() {
        return device;
    }

    /** This case's generator (seeded by the case, so a failure can be replayed). */
    public Generator gen() {
        return gen;
    }

    /** The worst comparison this case made so far, or null. */
    Comparison worst() {
        return worst;
    }

    // ---------------------------------------------------------------- inputs

    /** Random values of {@code domain} in {@code shape}, exactly representable in {@code dtype}. */
    public RefArray draw(DType dtype, Domain domain, int... shape) {
        double[] v = new double[RefArray.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = domain.draw(gen, dtype);
        }
        return RefArray.of(shape, v);
    }

    /** A contiguous tensor on the device under test holding {@code values}. */
    public Tensor tensor(DType dtype, RefArray values) {
        if (values.rank() == 0) {
            return Tensor.full(device, dtype, values.flat(0));
        }
        return Tensor.of(device, dtype, values.data(), values.shape());
    }

    /** A random input of {@code shape} laid out as {@code layout}. */
    public Input input(DType dtype, Layout layout, Domain domain, int... shape) {
        switch (layout) {
            case TRANSPOSED:
                if (shape.length >= 2) {
                    return transposed(dtype, draw(dtype, domain, shape));
                }
                break;
            case STRIDED:
                return strided(dtype, draw(dtype, domain, shape));
            case EXPANDED:
                for (int a = 0; a < shape.length; a++) {
                    if (shape[a] > 1) {
                        int[] baseShape = shape.clone();
                        baseShape[a] = 1;
                        RefArray baseValues = draw(dtype, domain, baseShape);
                        Tensor base = tensor(dtype, baseValues);
                        return new Input(base.expand(shape), baseValues.broadcastTo(shape), base, baseValues,
                                RefArray.iota(baseShape).broadcastTo(shape), "expanded on axis " + a);
                    }
                }
                break;
            default:
                break;
        }
        return contiguous(dtype, draw(dtype, domain, shape),
                layout == Layout.CONTIGUOUS ? "contiguous" : "contiguous (" + layout + " needs more dims)");
    }

    /** {@code values} in a contiguous tensor. */
    public Input contiguous(DType dtype, RefArray values, String label) {
        Tensor t = tensor(dtype, values);
        return new Input(t, values, t, values, RefArray.iota(values.shape()), label);
    }

    /** {@code values} as a view with every axis reversed over a row-major storage. */
    public Input transposed(DType dtype, RefArray values) {
        int r = values.rank();
        int[] reverse = new int[r];
        for (int i = 0; i < r; i++) {
            reverse[i] = r - 1 - i;
        }
        RefArray stored = values.permute(reverse);
        Tensor base = tensor(dtype, stored);
        return new Input(base.permute(reverse), values, base, stored, RefArray.iota(stored.shape()).permute(reverse),
                r == 2 ? "transposed" : "axes reversed");
    }

    /** {@code values} at every second position (from offset 1) along the last axis of a storage padded with sentinels. */
    public Input strided(DType dtype, RefArray values) {
        double sentinel = dtype.isFloating() ? Double.NaN : INT_SENTINEL;
        if (values.rank() == 0) {
            RefArray stored = RefArray.of(new int[] {3}, sentinel, values.flat(0), sentinel);
            Tensor base = tensor(dtype, stored);
            return new Input(base.select(0, 1), values, base, stored, RefArray.iota(3).select(0, 1),
                    "offset 1 in a vector");
        }
        int[] storedShape = values.shape();
        int n = storedShape[storedShape.length - 1];
        storedShape[storedShape.length - 1] = 2 * n + 1;
        RefArray positions = RefArray.iota(storedShape).slice(-1, 1, 2 * n + 1, 2);
        RefArray stored = RefArray.full(sentinel, storedShape).scatter(positions, values);
        Tensor base = tensor(dtype, stored);
        return new Input(base.slice(-1, 1, 2 * n + 1, 2), values, base, stored, positions, "step 2 from offset 1");
    }

    // ---------------------------------------------------------------- checks

    /** {@code got} must be on the device, of {@code dtype} and {@code expected}'s shape, and exact. */
    public void expect(Tensor got, DType dtype, RefArray expected) {
        expect(got, dtype, expected, null, Tolerance.exact());
    }

    /** {@code got} must match {@code expected} within {@code tol} (no error scale). */
    public void expect(Tensor got, DType dtype, RefArray expected, Tolerance tol) {
        expect(got, dtype, expected, null, tol);
    }

    /**
     * {@code got} must be an open tensor on the device under test, of {@code dtype} and of
     * {@code expected}'s shape, and each element within {@code tol} of {@code expected}
     * (rounded to {@code dtype}) given the error scale {@code scale} (null for none).
     */
    public void expect(Tensor got, DType dtype, RefArray expected, RefArray scale, Tolerance tol) {
        if (got == null) {
            fail(caseName + ": the op returned null");
        }
        if (got.isClosed()) {
            fail(caseName + ": the op returned a closed tensor " + got.describe());
        }
        if (!got.device().equals(device)) {
            fail(caseName + ": result is on " + got.device() + ", expected " + device);
        }
        if (got.dtype() != dtype) {
            fail(caseName + ": result dtype is " + got.dtype() + ", expected " + dtype);
        }
        if (!Arrays.equals(got.shape().dims(), expected.shape())) {
            fail(caseName + ": result shape is " + got.shape() + ", expected " + Arrays.toString(expected.shape()));
        }
        expectValues(hostValues(got), expected.cast(dtype), scale, tol);
    }

    /** Host values (already read back) compared with the reference; records the worst element. */
    public void expectValues(double[] got, RefArray expected, RefArray scale, Tolerance tol) {
        expect(Comparison.of(got, expected, scale, tol));
    }

    /** A comparison made elsewhere (an ulp sweep): recorded as the worst if it is, failing the case if it failed. */
    void expect(Comparison c) {
        if (worst == null || c.ratio() > worst.ratio() || (!c.passed() && worst.passed())) {
            worst = c;
        }
        if (!c.passed()) {
            fail(caseName + ": " + c.describe());
        }
    }

    /** The tensor's elements, read through the copy of its own dtype (no conversion on the device). */
    public static double[] hostValues(Tensor t) {
        switch (t.dtype()) {
            case FLOAT32: {
                float[] f = t.toFloatArray();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                return d;
            }
            case INT32: {
                int[] v = t.toIntArray();
                double[] d = new double[v.length];
                for (int i = 0; i < v.length; i++) {
                    d[i] = v[i];
                }
                return d;
            }
            case INT64: {
                long[] v = t.toLongArray();
                double[] d = new double[v.length];
                for (int i = 0; i < v.length; i++) {
                    d[i] = v[i];
                }
                return d;
            }
            default:
                return t.toDoubleArray();
        }
    }

    /** A condition the case states; failing it fails the case with {@code what}. */
    public void expectThat(boolean condition, String what) {
        if (!condition) {
            fail(caseName + ": " + what);
        }
    }

    /**
     * {@code action} must throw {@code type} (exactly that class or a subclass) whose message
     * contains every one of {@code fragments} (the op's name and what was given).
     */
    public <T extends Throwable> T expectThrows(Class<T> type, Executable action, String... fragments) {
        Throwable thrown = null;
        try {
            action.execute();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) {
            fail(caseName + ": expected " + type.getSimpleName() + " but nothing was thrown");
        }
        if (!type.isInstance(thrown)) {
            fail(caseName + ": expected " + type.getSimpleName() + " but got " + thrown, thrown);
        }
        String message = String.valueOf(thrown.getMessage());
        for (String f : fragments) {
            if (!message.contains(f)) {
                fail(caseName + ": the " + type.getSimpleName() + " message should contain \"" + f + "\" but was: "
                        + message, thrown);
            }
        }
        return type.cast(thrown);
    }
}
