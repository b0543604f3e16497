package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.conformance.ElementwiseOps;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Scope;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.fused.UpdateRule;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code runProgram} on CUDA (generated kernels) against the program evaluated on the host in
 * double with Java's arithmetic and against its composed form ({@link UpdateRule#compose}, one
 * tensor op per step, on CUDA's primitive kernels): every op and every optimiser's rule, float32
 * and float64, two tensor sets of different shapes per call (one list launch, or a list launch
 * and a strided one), the first on contiguous tensors, on strided views (a strided slice stored
 * into, a transposed gradient) or with a broadcast gradient. The CPU backend itself is not on
 * this module's class path (nor in the GPU check's jars), hence the host evaluation here. Needs
 * a GPU; skipped with the reason otherwise.
 */
@ExtendWith(RequiresCuda.class)
class CudaProgramTest {
    private static final Device GPU = new Device("cuda", 0);
    private static final int ROWS = 37;
    private static final int COLS = 129;
    /** The second set of every call: contiguous, of another shape, over several chunks. */
    private static final int[] SECOND = {3, 1000};

    private enum Views { CONTIGUOUS, STRIDED, BROADCAST_READ }

    @TestFactory
    Stream<DynamicTest> everyProgramOnCudaMatchesItsEvaluationOnTheHostAndItsComposedForm() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, TestPrograms.Case> e : TestPrograms.all().entrySet()) {
            for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
                for (Views v : Views.values()) {
                    String name = e.getKey() + ", " + dt + ", " + v.name().toLowerCase();
                    tests.add(DynamicTest.dynamicTest(name, () -> check(name, e.getValue(), dt, v)));
                }
            }
        }
        return tests.stream();
    }

    private static boolean stored(ElementwiseProgram p, int k) {
        return p.stores().stream().anyMatch(s -> s.tensor() == k);
    }

    private static void check(String name, TestPrograms.Case c, DType dt, Views views) {
        ElementwiseProgram p = c.program();
        int broadcast = -1;
        if (views == Views.BROADCAST_READ) {
            for (int k = p.tensors() - 1; k >= 0; k--) {
                if (!stored(p, k)) {
                    broadcast = k;
                }
            }
        }
        Random r = new Random(name.hashCode());
        try (Scope ignored = Scope.open()) {
            List<List<Tensor>> run = new ArrayList<>();
            List<List<Tensor>> composed = new ArrayList<>();
            for (int set = 0; set < 2; set++) {
                List<Tensor> runSet = new ArrayList<>();
                List<Tensor> composedSet = new ArrayList<>();
                for (int k = 0; k < p.tensors(); k++) {
                    int[] dims = set == 0 ? new int[] {ROWS, COLS} : SECOND;
                    UnaryOperator<Tensor> view = t -> t;
                    if (set == 0 && views == Views.STRIDED && k == 0) {
                        dims = new int[] {ROWS, 2 * COLS};
                        view = t -> t.slice(1, 0, 2 * COLS, 2);
                    } else if (set == 0 && views == Views.STRIDED && k == 1) {
                        dims = new int[] {COLS, ROWS};
                        view = Tensor::t;
                    } else if (set == 0 && k == broadcast) {
                        dims = new int[] {1, COLS};
                        view = t -> t.broadcastTo(Shape.of(ROWS, COLS));
                    }
                    double[] values = new double[dims[0] * dims[1]];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = c.draw(k, r);
                    }
                    runSet.add(view.apply(Tensor.of(GPU, dt, values, dims)));
                    composedSet.add(view.apply(Tensor.of(GPU, dt, values, dims)));
                }
                run.add(runSet);
                composed.add(composedSet);
            }
            double[][][] want = new double[2][][];
            List<StridedView[]> views2 = new ArrayList<>();
            for (int set = 0; set < 2; set++) {
                double[][] before = new double[p.tensors()][];
                for (int k = 0; k < p.tensors(); k++) {
                    before[k] = run.get(set).get(k).toDoubleArray();
                }
                want[set] = reference(p, before, c.scalars(), dt);
                views2.add(run.get(set).stream().map(Tensor::stridedView).toArray(StridedView[]::new));
            }
            assertTrue(run.get(0).get(0).backend().runProgram(p, views2, c.scalars()),
                    name + ": the cuda backend has a kernel for it");
            c.rule().compose(composed, c.scalars());
            // The reference computes in double and rounds once on store; a float32 kernel
            // rounds every step to float, and so does the composed form.
            double vsReference = dt == DType.FLOAT32 ? 1e-5 : 1e-12;
            double vsComposed = dt == DType.FLOAT32 ? 2e-5 : 1e-12;
            for (int set = 0; set < 2; set++) {
                for (int k = 0; k < p.tensors(); k++) {
                    double[] got = run.get(set).get(k).toDoubleArray();
                    String what = name + ": set " + set + ", tensor '" + c.rule().tensors().get(k) + "'";
                    compare(what + " against the program evaluated on the host in double", got, want[set][k],
                            vsReference);
                    compare(what + " against the composed form on cuda", got,
                            composed.get(set).get(k).toDoubleArray(), vsComposed);
                }
            }
        }
    }

    private static void compare(String what, double[] got, double[] want, double tol) {
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[i] - want[i]);
            boolean same = Double.isNaN(want[i]) ? Double.isNaN(got[i]) : err <= tol * Math.max(1, Math.abs(want[i]));
            if (!same) {
                throw new AssertionError(what + ": element " + i + ": cuda " + got[i] + ", expected " + want[i]);
            }
        }
    }

    /**
     * The program on the host, element by element in double with Java's arithmetic (the CPU
     * backend's ChunkMath), each stored value rounded once to the dtype.
     */
    static double[][] reference(ElementwiseProgram p, double[][] in, double[] scalars, DType dt) {
        int n = in[0].length;
        double[][] out = new double[in.length][];
        for (int k = 0; k < in.length; k++) {
            out[k] = in[k].clone();
        }
        double[] reg = new double[p.registers()];
        int first = p.tensors() + p.scalars();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < p.tensors(); k++) {
                reg[k] = in[k][i];
            }
            System.arraycopy(scalars, 0, reg, p.tensors(), scalars.length);
            for (int s = 0; s < p.steps().size(); s++) {
                ElementwiseProgram.Step st = p.steps().get(s);
                reg[first + s] = st.unary() != null ? unary(st.unary(), reg[st.a()]) : binary(st.binary(), reg[st.a()],
                        reg[st.b()]);
            }
            for (ElementwiseProgram.Store st : p.stores()) {
                double v = reg[st.register()];
                out[st.tensor()][i] = dt == DType.FLOAT32 ? (float) v : v;
            }
        }
        return out;
    }

    private static double unary(UnaryOp op, double x) {
        return ElementwiseOps.unary(op).ref().applyAsDouble(x);
    }

    private static double binary(BinaryOp op, double a, double b) {
        return ElementwiseOps.binary(op).ref().applyAsDouble(a, b);
    }
}
