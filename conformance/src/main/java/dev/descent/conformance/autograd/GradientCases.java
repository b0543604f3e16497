package dev.descent.conformance.autograd;

import static dev.descent.conformance.autograd.GradInput.any;
import static dev.descent.conformance.autograd.GradInput.awayFromZero;
import static dev.descent.conformance.autograd.GradInput.positive;

import dev.descent.autograd.Variable;
import dev.descent.conformance.ElementwiseOps;
import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every differentiable op of {@link Variable}, on several shapes: broadcasting each way, batch
 * dimensions, every matmul form, reductions over one, several and all axes, and views of every
 * kind. Shapes stay small (a gradient check costs two evaluations per input element).
 */
final class GradientCases {
    /** Pairs of shapes that broadcast: equal, a trailing vector, both ways with an added axis, a scalar. */
    private static final int[][][] BROADCAST_PAIRS = {
        {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{2, 1, 3}, {4, 1}}, {{}, {3}}, {{3, 1}, {1, 4}},
    };

    private GradientCases() {
    }

    static List<GradCase> all() {
        List<GradCase> cases = new ArrayList<>();
        arithmetic(cases);
        scalarArithmetic(cases);
        elementwise(cases);
        activations(cases);
        reductions(cases);
        matmul(cases);
        views(cases);
        joins(cases);
        return cases;
    }

    /** Every binary row of {@link ElementwiseOps} with a gradient, on every broadcasting pair; and where. */
    private static void arithmetic(List<GradCase> cases) {
        for (ElementwiseOps.Binary b : ElementwiseOps.binaries()) {
            ElementwiseOps.BinaryGradient g = b.gradient();
            if (g == null) {
                continue;
            }
            for (int[][] p : BROADCAST_PAIRS) {
                String shapes = Arrays.toString(p[0]) + " with " + Arrays.toString(p[1]);
                cases.add(GradCase.binary(b.name(), shapes, new GradInput(p[0], g.left()),
                        new GradInput(p[1], g.right()), g.f()));
            }
        }
        for (int[][] p : BROADCAST_PAIRS) {
            String shapes = Arrays.toString(p[0]) + " with " + Arrays.toString(p[1]);
            cases.add(GradCase.binary("where", shapes, any(p[0]), any(p[1]),
                    (a, b) -> Variable.where(alternating(a, b), a, b)));
        }
    }

    /** A 0/1 condition of the two operands' broadcast shape, alternating in row-major order. */
    private static Tensor alternating(Variable a, Variable b) {
        Shape s = Shape.broadcast("where", a.shape(), b.shape());
        double[] v = new double[(int) s.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 2;
        }
        try (Tensor flat = Tensor.of(a.device(), DType.FLOAT64, v, v.length)) {
            return flat.reshape(s.dims());
        }
    }

    private static void scalarArithmetic(List<GradCase> cases) {
        cases.add(GradCase.unary("add", "scalar", any(3, 2), x -> x.add(1.5)));
        cases.add(GradCase.unary("sub", "scalar", any(3, 2), x -> x.sub(1.5)));
        cases.add(GradCase.unary("rsub", "scalar", any(3, 2), x -> x.rsub(1.5)));
        cases.add(GradCase.unary("mul", "scalar", any(3, 2), x -> x.mul(-2.5)));
        cases.add(GradCase.unary("div", "scalar", any(3, 2), x -> x.div(-2.5)));
        cases.add(GradCase.unary("rdiv", "scalar", awayFromZero(3, 2), x -> x.rdiv(2.5)));
        cases.add(GradCase.unary("pow", "exponent 3", any(3, 2), x -> x.pow(3)));
        cases.add(GradCase.unary("pow", "exponent 2.5", positive(3, 2), x -> x.pow(2.5)));
        cases.add(GradCase.unary("pow", "exponent -1.5", positive(3, 2), x -> x.pow(-1.5)));
        cases.add(GradCase.unary("pow", "exponent 0", any(3, 2), x -> x.pow(0)));
        cases.add(GradCase.unary("maximum", "scalar 0.3", any(3, 4), x -> x.maximum(0.3)));
        cases.add(GradCase.unary("minimum", "scalar 0.3", any(3, 4), x -> x.minimum(0.3)));
        cases.add(GradCase.unary("maskedFill", "row mask", any(3, 4), x -> {
            try (Tensor mask = Tensor.of(x.device(), DType.FLOAT64, new double[] {1, 0, 1, 0}, 4)) {
                return x.maskedFill(mask, 7);
            }
        }));
    }

    /** Every unary row of {@link ElementwiseOps} with a gradient, on several shapes; and clamp. */
    private static void elementwise(List<GradCase> cases) {
        for (int[] s : new int[][] {{}, {5}, {2, 3}, {2, 1, 3}}) {
            String shape = Arrays.toString(s);
            for (ElementwiseOps.Unary u : ElementwiseOps.unaries()) {
                if (u.gradient() != null) {
                    cases.add(GradCase.unary(u.name(), shape, new GradInput(s, u.gradient().domain()),
                            u.gradient().f()));
                }
            }
            cases.add(GradCase.unary("clamp", shape, any(s), x -> x.clamp(-0.7, 0.9)));
        }
    }

    /** The activations composed of primitives (the primitive ones are rows of {@link ElementwiseOps}). */
    private static void activations(List<GradCase> cases) {
        for (int[] s : new int[][] {{}, {6}, {2, 3}}) {
            String shape = Arrays.toString(s);
            cases.add(GradCase.unary("leakyRelu", shape, awayFromZero(s), x -> x.leakyRelu(0.1)));
            cases.add(GradCase.unary("geluTanh", shape, any(s), Variable::geluTanh));
            cases.add(GradCase.unary("softplus", shape + " beta 2", any(s), x -> x.softplus(2)));
        }
        for (int axis : new int[] {0, -1}) {
            cases.add(GradCase.unary("softmax", "[3, 4] axis " + axis, any(3, 4), x -> x.softmax(axis)));
            cases.add(GradCase.unary("logSoftmax", "[3, 4] axis " + axis, any(3, 4), x -> x.logSoftmax(axis)));
        }
        cases.add(GradCase.unary("softmax", "[2, 3, 2] axis 1", any(2, 3, 2), x -> x.softmax(1)));
        cases.add(GradCase.unary("logSoftmax", "[5]", any(5), x -> x.logSoftmax(0)));
    }

    private static void reductions(List<GradCase> cases) {
        reduction(cases, "sum", Variable::sum);
        reduction(cases, "mean", Variable::mean);
        reduction(cases, "max", Variable::max);
        reduction(cases, "min", Variable::min);
        reduction(cases, "logsumexp", Variable::logsumexp);
        reduction(cases, "var", (x, axes, keepDim) -> x.var(axes, 1, keepDim));
        cases.add(GradCase.unary("var", "[3, 4] axis 1 correction 0", any(3, 4), x -> x.var(new int[] {1}, 0, false)));
        cases.add(GradCase.unary("sumTo", "[2, 3, 4] to [3, 1]", any(2, 3, 4), x -> x.sumTo(Shape.of(3, 1))));
    }

    /** A reduction over the given axes. */
    @FunctionalInterface
    private interface Reduction {
        Variable apply(Variable x, int[] axes, boolean keepDim);
    }

    private static void reduction(List<GradCase> cases, String op, Reduction f) {
        int[][] axes = {{}, {1}, {0, 2}, {-1}};
        boolean[] keepDim = {false, false, true, true};
        for (int k = 0; k < axes.length; k++) {
            int[] ax = axes[k];
            boolean keep = keepDim[k];
            cases.add(GradCase.unary(op, "[2, 3, 4] axes " + Arrays.toString(ax) + (keep ? " keepDim" : ""),
                    any(2, 3, 4), x -> f.apply(x, ax, keep)));
        }
        cases.add(GradCase.unary(op, "[5] all", any(5), x -> f.apply(x, new int[0], false)));
    }

    private static void matmul(List<GradCase> cases) {
        int[][][] forms = {
            {{3}, {3}}, {{2, 3}, {3}}, {{3}, {3, 4}}, {{2, 3}, {3, 4}}, {{2, 2, 3}, {3, 4}}, {{2, 3}, {2, 3, 4}},
            {{2, 1, 2, 3}, {3, 3, 2}}, {{3}, {2, 3, 4}}, {{2, 2, 3}, {3}},
        };
        for (int[][] f : forms) {
            cases.add(GradCase.binary("matmul", Arrays.toString(f[0]) + " by " + Arrays.toString(f[1]), any(f[0]),
                    any(f[1]), Variable::matmul));
        }
    }

    private static void views(List<GradCase> cases) {
        cases.add(GradCase.unary("reshape", "[3, 4] to [2, 6]", any(3, 4), x -> x.reshape(2, 6)));
        cases.add(GradCase.unary("reshape", "[2, 3, 2] to [-1]", any(2, 3, 2), x -> x.reshape(-1)));
        cases.add(GradCase.unary("flatten", "[2, 3]", any(2, 3), Variable::flatten));
        cases.add(GradCase.unary("permute", "[2, 3, 4] by (2, 0, 1)", any(2, 3, 4), x -> x.permute(2, 0, 1)));
        cases.add(GradCase.unary("transpose", "[2, 3, 4] axes 0, 2", any(2, 3, 4), x -> x.transpose(0, 2)));
        cases.add(GradCase.unary("t", "[3, 4]", any(3, 4), Variable::t));
        cases.add(GradCase.unary("narrow", "[3, 5] axis 1 from 1 length 3", any(3, 5), x -> x.narrow(1, 1, 3)));
        cases.add(GradCase.unary("slice", "[3, 5] axis 1 step 2", any(3, 5), x -> x.slice(1, 0, 5, 2)));
        cases.add(GradCase.unary("slice", "[6, 2] axis 0 from -4 step 3", any(6, 2), x -> x.slice(0, -4, 6, 3)));
        cases.add(GradCase.unary("select", "[3, 4] axis 0 index 1", any(3, 4), x -> x.select(0, 1)));
        cases.add(GradCase.unary("select", "[2, 3, 4] axis -1 index -1", any(2, 3, 4), x -> x.select(-1, -1)));
        cases.add(GradCase.unary("expand", "[3, 1] to [3, 4]", any(3, 1), x -> x.expand(3, 4)));
        cases.add(GradCase.unary("expand", "[1, 4] to [2, 3, 4]", any(1, 4), x -> x.expand(2, 3, -1)));
        cases.add(GradCase.unary("broadcastTo", "[4] to [3, 4]", any(4), x -> x.broadcastTo(Shape.of(3, 4))));
        cases.add(GradCase.unary("squeeze", "[3, 1, 2]", any(3, 1, 2), Variable::squeeze));
        cases.add(GradCase.unary("squeeze", "[3, 1, 2] axis 1", any(3, 1, 2), x -> x.squeeze(1)));
        cases.add(GradCase.unary("unsqueeze", "[3, 2] axis 1", any(3, 2), x -> x.unsqueeze(1)));
        cases.add(GradCase.unary("contiguous", "[3, 4]", any(3, 4), Variable::contiguous));
    }

    private static void joins(List<GradCase> cases) {
        cases.add(new GradCase("concat", "[2, 3] and [4, 3] axis 0", List.of(any(2, 3), any(4, 3)),
                xs -> Variable.concat(xs, 0)));
        cases.add(new GradCase("concat", "three along axis 1", List.of(any(2, 1), any(2, 3), any(2, 2)),
                xs -> Variable.concat(xs, 1)));
        cases.add(new GradCase("stack", "three [2, 3] axis 0", List.of(any(2, 3), any(2, 3), any(2, 3)),
                xs -> Variable.stack(xs, 0)));
        cases.add(new GradCase("stack", "two [2, 3] axis -1", List.of(any(2, 3), any(2, 3)),
                xs -> Variable.stack(xs, -1)));
        cases.add(GradCase.unary("gather", "[2, 4] axis 1 with repeats", any(2, 4),
                x -> x.gather(1, index(x, new double[] {0, 2, 2, 1, 0, 0}, 2, 3))));
        cases.add(GradCase.unary("gather", "[3, 4] axis 0, index smaller off the axis", any(3, 4),
                x -> x.gather(0, index(x, new double[] {2, 0, 1, 2, 2, 0}, 2, 3))));
        cases.add(GradCase.unary("gather", "[2, 3, 2] axis 2", any(2, 3, 2),
                x -> x.gather(2, index(x, new double[] {1, 0, 1, 1, 0, 0}, 2, 3, 1))));
        cases.add(GradCase.unary("indexSelect", "[4, 3] axis 0 with repeats", any(4, 3),
                x -> x.indexSelect(0, index(x, new double[] {3, 0, 3, 1, 3}, 5))));
        cases.add(GradCase.unary("indexSelect", "[2, 4, 3] axis 1", any(2, 4, 3),
                x -> x.indexSelect(1, index(x, new double[] {2, 2, 0}, 3))));
        cases.add(GradCase.unary("indexSelect", "[5] axis 0", any(5),
                x -> x.indexSelect(0, index(x, new double[] {4, 1}, 2))));
    }

    /** An int64 index tensor on the device of {@code like}. */
    private static Tensor index(Variable like, double[] values, int... dims) {
        return Tensor.of(like.device(), DType.INT64, values, dims);
    }
}
