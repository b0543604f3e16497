package dev.descent.conformance;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.function.Executable;

/**
 * Error paths: each wrong call throws the documented exception type, and its message names
 * the op and what was given ({@code matmul: shapes [32, 784] and [256, 128] do not align:
 * 784 != 256}). Errors are checked by core before a backend is called, except for gather's
 * index range, which only the backend can see: its {@link IndexOutOfBoundsException} must
 * name the offending index (core prefixes the op), from the op or, on a device that records
 * index faults, from the next read of the result.
 */
final class ErrorCases {
    private static final String CATEGORY = "error";
    private static final DType F = DType.FLOAT32;

    private ErrorCases() {
    }

    /** Builds the failing call from a context (inputs are made inside the case). */
    @FunctionalInterface
    interface Call {
        Executable with(CaseContext c);
    }

    private static DynamicNode throwsIae(Harness h, String op, String what, Call call, String... fragments) {
        return throwsOf(h, op, what, IllegalArgumentException.class, call, fragments);
    }

    private static DynamicNode throwsOf(Harness h, String op, String what, Class<? extends Throwable> type, Call call,
            String... fragments) {
        String name = what + " throws " + type.getSimpleName() + " naming " + String.join(", ", fragments);
        return h.test(CATEGORY, op, name, c -> c.expectThrows(type, call.with(c), fragments));
    }

    /** Reads a result back (where a GPU raises an index fault it recorded), then frees it. */
    private static void readBack(Tensor t) {
        try (t) {
            t.toDoubleArray();
        }
    }

    private static Tensor t(CaseContext c, DType dt, int... shape) {
        return c.input(dt, Layout.CONTIGUOUS, Domain.SMALL_INTS, shape).tensor();
    }

    static Stream<DynamicNode> errors(Harness h) {
        List<DynamicNode> shapes = new ArrayList<>();
        shapes.add(throwsIae(h, "matmul", "matmul of [32, 784] and [256, 128]",
                c -> () -> t(c, F, 32, 784).matmul(t(c, F, 256, 128)), "matmul", "[32, 784]", "[256, 128]",
                "784 != 256"));
        shapes.add(throwsIae(h, "matmul", "matmul of vectors [3] and [4]", c -> () -> t(c, F, 3).matmul(t(c, F, 4)),
                "matmul", "3 != 4"));
        shapes.add(throwsIae(h, "matmul", "matmul with batch dims [2] and [3]",
                c -> () -> t(c, F, 2, 3, 4).matmul(t(c, F, 3, 4, 5)), "matmul", "[2]", "[3]"));
        shapes.add(throwsIae(h, "matmul", "matmul of a rank-0 tensor", c -> () -> t(c, F).matmul(t(c, F, 3)),
                "matmul", "rank"));
        shapes.add(throwsIae(h, "add", "add of [3] and [4]", c -> () -> t(c, F, 3).add(t(c, F, 4)), "add", "[3]",
                "[4]"));
        shapes.add(throwsIae(h, "mul", "mul of [2, 3] and [3, 2]", c -> () -> t(c, F, 2, 3).mul(t(c, F, 3, 2)), "mul",
                "[2, 3]", "[3, 2]"));
        shapes.add(throwsIae(h, "where", "where with cond [2] and values [3]",
                c -> () -> Tensor.where(t(c, F, 2), t(c, F, 3), t(c, F, 3)), "where", "[2]", "[3]"));
        shapes.add(throwsIae(h, "addInPlace", "addInPlace of [2, 3] into [3]",
                c -> () -> t(c, F, 3).addInPlace(t(c, F, 2, 3)), "addInPlace", "[2, 3]", "[3]"));
        shapes.add(throwsIae(h, "copyFrom", "copyFrom of [4] into [2, 3]",
                c -> () -> t(c, F, 2, 3).copyFrom(t(c, F, 4)), "copyFrom", "[4]", "[2, 3]"));
        shapes.add(throwsIae(h, "reshape", "reshape of [2, 3] to [4, 2]", c -> () -> t(c, F, 2, 3).reshape(4, 2),
                "reshape", "[4, 2]", "[2, 3]"));
        shapes.add(throwsIae(h, "reshape", "reshape with two -1 sizes", c -> () -> t(c, F, 2, 3).reshape(-1, -1),
                "reshape", "-1"));
        shapes.add(throwsIae(h, "view", "view of a transposed [3, 2] as [6]",
                c -> () -> t(c, F, 2, 3).t().view(6), "view", "[3, 2]", "[6]"));
        shapes.add(throwsIae(h, "expand", "expand of [3] to [4]", c -> () -> t(c, F, 3).expand(4), "expand", "[3]",
                "[4]"));
        shapes.add(throwsIae(h, "expand", "expand of [3] to [-1, 3] (-1 for a new dimension)",
                c -> () -> t(c, F, 3).expand(-1, 3), "expand", "-1"));
        shapes.add(throwsIae(h, "concat", "concat of rank-0 tensors",
                c -> () -> Tensor.concat(List.of(t(c, F), t(c, F)), 0), "concat", "scalar"));
        shapes.add(throwsIae(h, "gather", "gather with an index [5, 2] larger than the source [4, 5] off the axis",
                c -> () -> t(c, F, 4, 5).gather(1, t(c, DType.INT64, 5, 2)), "gather", "[5, 2]", "[4, 5]"));
        shapes.add(throwsIae(h, "concat", "concat of [2, 3] and [2, 4] along axis 0",
                c -> () -> Tensor.concat(List.of(t(c, F, 2, 3), t(c, F, 2, 4)), 0), "concat", "[2, 4]"));
        shapes.add(throwsIae(h, "stack", "stack of [2, 3] and [2, 4]",
                c -> () -> Tensor.stack(List.of(t(c, F, 2, 3), t(c, F, 2, 4)), 0), "stack", "[2, 4]"));
        shapes.add(throwsIae(h, "gather", "gather with a rank-1 index into [4, 5]",
                c -> () -> t(c, F, 4, 5).gather(1, t(c, DType.INT64, 3)), "gather", "rank"));
        shapes.add(throwsIae(h, "item", "item of a [2] tensor", c -> () -> t(c, F, 2).item(), "item", "[2]"));
        shapes.add(throwsIae(h, "Tensor.of", "Tensor.of with 5 values for shape [2, 3]",
                c -> () -> Tensor.of(c.device(), F, new double[5], 2, 3), "Tensor.of", "5 values", "[2, 3]"));

        List<DynamicNode> axes = new ArrayList<>();
        axes.add(throwsIae(h, "sum", "sum over axis 2 of a rank-2 tensor",
                c -> () -> t(c, F, 2, 3).sum(new int[] {2}, false), "sum", "axis 2", "rank 2"));
        axes.add(throwsIae(h, "sum", "sum over axis -3 of a rank-2 tensor", c -> () -> t(c, F, 2, 3).sum(-3), "sum",
                "axis -3"));
        axes.add(throwsIae(h, "sum", "sum over axes 0 and -2 (the same axis)", c -> () -> t(c, F, 2, 3).sum(0, -2),
                "sum", "twice"));
        axes.add(throwsIae(h, "max", "max over an axis of size 0",
                c -> () -> t(c, F, 3, 0).max(new int[] {1}, false), "max", "size 0"));
        axes.add(throwsIae(h, "argmax", "argmax along axis 5 of a rank-2 tensor",
                c -> () -> t(c, F, 2, 3).argmax(5, false), "argmax", "axis 5"));
        axes.add(throwsIae(h, "argmax", "argmax of an empty tensor", c -> () -> t(c, F, 0).argmax(), "argmax",
                "[0]"));
        axes.add(throwsIae(h, "softmax", "softmax along axis 2 of a rank-2 tensor",
                c -> () -> t(c, F, 2, 3).softmax(2), "softmax", "axis 2"));
        axes.add(throwsIae(h, "transpose", "transpose of axes 0 and 3 of a rank-2 tensor",
                c -> () -> t(c, F, 2, 3).transpose(0, 3), "transpose", "axis 3"));
        axes.add(throwsIae(h, "narrow", "narrow of [4, 7) along an axis of size 6",
                c -> () -> t(c, F, 5, 6).narrow(1, 4, 3), "narrow", "[4, 7)", "size 6"));
        axes.add(throwsIae(h, "select", "select of index 5 along an axis of size 5",
                c -> () -> t(c, F, 5).select(0, 5), "select", "index 5", "size 5"));
        axes.add(throwsIae(h, "unsqueeze", "unsqueeze at axis 4 of a rank-2 tensor",
                c -> () -> t(c, F, 2, 3).unsqueeze(4), "unsqueeze", "axis 4"));
        axes.add(throwsIae(h, "squeeze", "squeeze of axis 1 of size 3", c -> () -> t(c, F, 2, 3).squeeze(1),
                "squeeze", "size 3"));
        axes.add(throwsIae(h, "permute", "permute of a rank-2 tensor by one axis",
                c -> () -> t(c, F, 2, 3).permute(0), "permute", "[0]"));
        axes.add(throwsIae(h, "permute", "permute by (0, 0)", c -> () -> t(c, F, 2, 3).permute(0, 0), "permute",
                "twice"));
        axes.add(throwsIae(h, "slice", "slice with step 0", c -> () -> t(c, F, 5).slice(0, 0, 5, 0), "slice",
                "step"));

        List<DynamicNode> dtypes = new ArrayList<>();
        dtypes.add(throwsIae(h, "add", "add of float32 and float64",
                c -> () -> t(c, F, 3).add(t(c, DType.FLOAT64, 3)), "add", "float32", "float64"));
        dtypes.add(throwsIae(h, "matmul", "matmul of float32 and float64",
                c -> () -> t(c, F, 2, 3).matmul(t(c, DType.FLOAT64, 3, 2)), "matmul", "float32", "float64"));
        dtypes.add(throwsIae(h, "where", "where of float32 and int32 values",
                c -> () -> Tensor.where(t(c, F, 3), t(c, F, 3), t(c, DType.INT32, 3)), "where", "float32", "int32"));
        dtypes.add(throwsIae(h, "concat", "concat of float32 and float64",
                c -> () -> Tensor.concat(List.of(t(c, F, 2), t(c, DType.FLOAT64, 2)), 0), "concat", "float32",
                "float64"));
        dtypes.add(throwsIae(h, "stack", "stack of float32 and float64",
                c -> () -> Tensor.stack(List.of(t(c, F, 2), t(c, DType.FLOAT64, 2)), 0), "stack", "float32",
                "float64"));
        dtypes.add(throwsIae(h, "gather", "gather with float32 indices",
                c -> () -> t(c, F, 4).gather(0, t(c, F, 2)), "gather", "float32"));
        dtypes.add(throwsIae(h, "indexSelect", "indexSelect with float64 indices",
                c -> () -> t(c, F, 4).indexSelect(0, t(c, DType.FLOAT64, 2)), "indexSelect", "float64"));
        dtypes.add(throwsIae(h, "addScaledInPlace", "addScaledInPlace into an int32 tensor",
                c -> () -> t(c, DType.INT32, 3).addScaledInPlace(t(c, DType.INT32, 3), 2), "addScaledInPlace", "int32"));
        dtypes.add(throwsIae(h, "add", "add of 0.5 to an int32 tensor", c -> () -> t(c, DType.INT32, 3).add(0.5),
                "add", "0.5", "int32"));
        if (h.supports(DType.INT32)) {
            List<Object[]> floatOnly = List.of(
                    new Object[] {"exp", (Function<Tensor, Object>) Tensor::exp},
                    new Object[] {"log", (Function<Tensor, Object>) Tensor::log},
                    new Object[] {"log1p", (Function<Tensor, Object>) Tensor::log1p},
                    new Object[] {"sqrt", (Function<Tensor, Object>) Tensor::sqrt},
                    new Object[] {"rsqrt", (Function<Tensor, Object>) Tensor::rsqrt},
                    new Object[] {"reciprocal", (Function<Tensor, Object>) Tensor::reciprocal},
                    new Object[] {"sigmoid", (Function<Tensor, Object>) Tensor::sigmoid},
                    new Object[] {"tanh", (Function<Tensor, Object>) Tensor::tanh},
                    new Object[] {"div", (Function<Tensor, Object>) x -> x.div(x)},
                    new Object[] {"div", (Function<Tensor, Object>) x -> x.div(2)},
                    new Object[] {"pow", (Function<Tensor, Object>) x -> x.pow(2)},
                    new Object[] {"mean", (Function<Tensor, Object>) Tensor::mean},
                    new Object[] {"var", (Function<Tensor, Object>) Tensor::var},
                    new Object[] {"softmax", (Function<Tensor, Object>) x -> x.softmax(0)},
                    new Object[] {"logSoftmax", (Function<Tensor, Object>) x -> x.logSoftmax(0)},
                    new Object[] {"logsumexp", (Function<Tensor, Object>) x -> x.logsumexp(0)},
                    new Object[] {"norm", (Function<Tensor, Object>) x -> x.norm(2)},
                    new Object[] {"matmul", (Function<Tensor, Object>) x -> x.matmul(x)},
                    new Object[] {"sqrt", (Function<Tensor, Object>) Tensor::sqrtInPlace},
                    new Object[] {"exp", (Function<Tensor, Object>) Tensor::expInPlace});
            for (Object[] f : floatOnly) {
                String op = (String) f[0];
                @SuppressWarnings("unchecked")
                Function<Tensor, Object> call = (Function<Tensor, Object>) f[1];
                dtypes.add(throwsIae(h, op, op + " of an int32 tensor", c -> () -> call.apply(t(c, DType.INT32, 4)), op,
                        "int32"));
            }
            dtypes.add(throwsIae(h, "rand", "rand of dtype int32",
                    c -> () -> Tensor.rand(new Generator(1), DType.INT32, 3), "int32"));
            dtypes.add(throwsIae(h, "randn", "randn of dtype int64",
                    c -> () -> Tensor.randn(new Generator(1), DType.INT64, 3), "int64"));
        }

        List<DynamicNode> values = new ArrayList<>();
        // A GPU may raise an index fault at the next read rather than from the op: each case reads its result.
        values.add(throwsOf(h, "gather", "gather of index 7 along an axis of size 5",
                IndexOutOfBoundsException.class, c -> () -> readBack(t(c, F, 4, 5).gather(1,
                        Tensor.of(c.device(), DType.INT64, new double[] {0, 7}, 1, 2))), "gather", "7"));
        values.add(throwsOf(h, "gather", "gather of index -1", IndexOutOfBoundsException.class,
                c -> () -> readBack(t(c, F, 4, 5).gather(0, Tensor.of(c.device(), DType.INT32, new double[] {-1, 0}, 1,
                        2))), "gather", "-1"));
        values.add(throwsOf(h, "gather", "gather of index 4 in a large int32 index along an axis of size 4",
                IndexOutOfBoundsException.class, c -> () -> {
                    double[] idx = new double[1 << 17];
                    idx[idx.length - 3] = 4;
                    readBack(t(c, F, 4, 1 << 17).gather(0, Tensor.of(c.device(), DType.INT32, idx, 1, 1 << 17)));
                }, "gather", "4"));
        values.add(throwsOf(h, "indexSelect", "indexSelect of index 9 along an axis of size 3",
                IndexOutOfBoundsException.class, c -> () -> readBack(t(c, F, 3, 2).indexSelect(0,
                        Tensor.of(c.device(), DType.INT64, new double[] {0, 9}))), "9"));
        values.add(throwsIae(h, "arange", "arange with step 0", c -> () -> Tensor.arange(0, 5, 0, F), "arange",
                "step"));
        values.add(throwsIae(h, "linspace", "linspace with -1 steps", c -> () -> Tensor.linspace(0, 1, -1, F),
                "linspace", "-1"));
        values.add(throwsIae(h, "eye", "eye of size -1", c -> () -> Tensor.eye(-1, F), "eye", "-1"));
        values.add(throwsIae(h, "clamp", "clamp to [2, 1]", c -> () -> t(c, F, 3).clamp(2, 1), "clamp", "2.0",
                "1.0"));
        values.add(throwsIae(h, "clampInPlace", "clampInPlace to [2, 1]", c -> () -> t(c, F, 3).clampInPlace(2, 1),
                "clampInPlace", "2.0", "1.0"));
        values.add(throwsIae(h, "var", "var with correction -1",
                c -> () -> t(c, F, 3).var(new int[] {0}, -1, false), "var", "-1"));
        values.add(throwsIae(h, "norm", "norm with p = 0", c -> () -> t(c, F, 3).norm(0), "norm", "0"));
        values.add(throwsIae(h, "uniform", "uniform on [3, 1)",
                c -> () -> Tensor.uniform(new Generator(1), 3, 1, F, 2), "uniform", "3.0", "1.0"));
        values.add(throwsIae(h, "normal", "normal with std -1",
                c -> () -> Tensor.normal(new Generator(1), 0, -1, F, 2), "normal", "-1"));

        return Stream.of(DynamicContainer.dynamicContainer("shape errors", shapes),
                DynamicContainer.dynamicContainer("axis errors", axes),
                DynamicContainer.dynamicContainer("dtype errors", dtypes),
                DynamicContainer.dynamicContainer("value errors", values),
                DynamicContainer.dynamicContainer("closed tensors", closed(h)));
    }

    /** Every op on a closed tensor throws IllegalStateException naming the op and the tensor's shape. */
    private static List<DynamicNode> closed(Harness h) {
        List<Object[]> ops = new ArrayList<>();
        ops.add(new Object[] {"add", (Function<Tensor, Object>) x -> x.add(x)});
        ops.add(new Object[] {"add", (Function<Tensor, Object>) x -> x.add(1)});
        ops.add(new Object[] {"exp", (Function<Tensor, Object>) Tensor::exp});
        ops.add(new Object[] {"neg", (Function<Tensor, Object>) Tensor::neg});
        ops.add(new Object[] {"clamp", (Function<Tensor, Object>) x -> x.clamp(0, 1)});
        ops.add(new Object[] {"matmul", (Function<Tensor, Object>) x -> x.matmul(x)});
        ops.add(new Object[] {"sum", (Function<Tensor, Object>) Tensor::sum});
        ops.add(new Object[] {"mean", (Function<Tensor, Object>) Tensor::mean});
        ops.add(new Object[] {"var", (Function<Tensor, Object>) Tensor::var});
        ops.add(new Object[] {"max", (Function<Tensor, Object>) x -> x.max(0)});
        ops.add(new Object[] {"argmax", (Function<Tensor, Object>) x -> x.argmax(0, false)});
        ops.add(new Object[] {"argmax", (Function<Tensor, Object>) Tensor::argmax});
        ops.add(new Object[] {"norm", (Function<Tensor, Object>) x -> x.norm(2)});
        ops.add(new Object[] {"logsumexp", (Function<Tensor, Object>) x -> x.logsumexp(0)});
        ops.add(new Object[] {"softmax", (Function<Tensor, Object>) x -> x.softmax(1)});
        ops.add(new Object[] {"reshape", (Function<Tensor, Object>) x -> x.reshape(6)});
        ops.add(new Object[] {"flatten", (Function<Tensor, Object>) Tensor::flatten});
        ops.add(new Object[] {"transpose", (Function<Tensor, Object>) x -> x.transpose(0, 1)});
        ops.add(new Object[] {"t", (Function<Tensor, Object>) Tensor::t});
        ops.add(new Object[] {"narrow", (Function<Tensor, Object>) x -> x.narrow(0, 0, 1)});
        ops.add(new Object[] {"expand", (Function<Tensor, Object>) x -> x.expand(4, 2, 3)});
        ops.add(new Object[] {"unsqueeze", (Function<Tensor, Object>) x -> x.unsqueeze(0)});
        ops.add(new Object[] {"contiguous", (Function<Tensor, Object>) Tensor::contiguous});
        ops.add(new Object[] {"copy", (Function<Tensor, Object>) Tensor::copy});
        ops.add(new Object[] {"to", (Function<Tensor, Object>) x -> x.to(DType.FLOAT64)});
        ops.add(new Object[] {"item", (Function<Tensor, Object>) Tensor::item});
        ops.add(new Object[] {"toFloatArray", (Function<Tensor, Object>) Tensor::toFloatArray});
        ops.add(new Object[] {"fill", (Function<Tensor, Object>) x -> x.fill(1)});
        ops.add(new Object[] {"add", (Function<Tensor, Object>) x -> x.addInPlace(1)});
        ops.add(new Object[] {"addScaledInPlace", (Function<Tensor, Object>) x -> x.addScaledInPlace(x, 2)});
        ops.add(new Object[] {"clampInPlace", (Function<Tensor, Object>) x -> x.clampInPlace(0, 1)});
        ops.add(new Object[] {"copyFrom", (Function<Tensor, Object>) x -> x.copyFrom(x)});
        ops.add(new Object[] {"concat", (Function<Tensor, Object>) x -> Tensor.concat(List.of(x, x), 0)});
        ops.add(new Object[] {"stack", (Function<Tensor, Object>) x -> Tensor.stack(List.of(x, x), 0)});
        ops.add(new Object[] {"where", (Function<Tensor, Object>) x -> Tensor.where(x, x, x)});
        ops.add(new Object[] {"gather", (Function<Tensor, Object>) x -> x.gather(0, Tensor.zeros(x.device(), DType.INT64, 1, 3))});
        List<DynamicNode> cases = new ArrayList<>();
        for (Object[] o : ops) {
            String op = (String) o[0];
            @SuppressWarnings("unchecked")
            Function<Tensor, Object> call = (Function<Tensor, Object>) o[1];
            String name = op + " of a closed float32[2, 3] tensor throws IllegalStateException starting \"" + op
                    + ": \" and naming the tensor";
            cases.add(h.test(CATEGORY, op + " (closed)", name, c -> {
                Tensor x = t(c, F, 2, 3);
                x.close();
                IllegalStateException e = c.expectThrows(IllegalStateException.class, () -> call.apply(x), op,
                        "[2, 3]");
                c.expectThat(e.getMessage().startsWith(op + ": "), "the message should start with \"" + op
                        + ": \" but was: " + e.getMessage());
            }));
        }
        cases.add(h.test(CATEGORY, "add (closed)", "add of an open tensor and a closed one throws IllegalStateException"
                + " naming add", c -> {
                    Tensor x = t(c, F, 2, 3);
                    Tensor y = t(c, F, 2, 3);
                    y.close();
                    c.expectThrows(IllegalStateException.class, () -> x.add(y), "add", "[2, 3]");
                }));
        cases.add(h.test(CATEGORY, "t (closed)", "t() of a closed vector whose storage a view still holds throws"
                + " IllegalStateException naming t", c -> {
                    Tensor x = t(c, F, 5);
                    Tensor view = x.narrow(0, 1, 2);
                    x.close();
                    IllegalStateException e = c.expectThrows(IllegalStateException.class, x::t, "[5]");
                    c.expectThat(e.getMessage().startsWith("t: "), "the message should start with \"t: \" but was: "
                            + e.getMessage());
                    c.expectThat(!view.isClosed(), "the view should stay open");
                }));
        return cases;
    }
}
