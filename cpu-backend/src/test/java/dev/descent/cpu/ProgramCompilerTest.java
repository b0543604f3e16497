package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The compiled loops of elementwise programs ({@link ProgramCompiler}): every op, in float32
 * and float64, gives the same bits as the tensor op of that name (the CPU's composed form),
 * special values included (±0, ±∞, NaN, tiny and huge); and each program is written once.
 */
class ProgramCompilerTest {
    private static final double[] SPECIAL = {0.0, -0.0, 1, -1, 0.5, -2.5, 3.75, 1e-30, -1e-30, 1e30, 7e-46, 1e300,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 0.1, 100, -100, 2, 1e-8};

    private static void run(ElementwiseProgram p, Tensor... tensors) {
        StridedView[] views = new StridedView[tensors.length];
        for (int i = 0; i < views.length; i++) {
            views[i] = tensors[i].stridedView();
        }
        assertTrue(tensors[0].backend().runProgram(p, List.<StridedView[]>of(views), new double[p.scalars()]));
    }

    private static void assertSameBits(Tensor expected, Tensor got, String what) {
        double[] e = expected.toDoubleArray();
        double[] g = got.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean same = Double.isNaN(e[i]) ? Double.isNaN(g[i])
                    : Double.doubleToRawLongBits(e[i]) == Double.doubleToRawLongBits(g[i]);
            assertTrue(same, what + " element " + i + ": the tensor op gives " + e[i] + ", the program " + g[i]);
        }
    }

    @Test
    void everyUnaryOpInAProgramGivesTheTensorOpsBits() {
        for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
            for (UnaryOp op : UnaryOp.values()) {
                ElementwiseProgram.Builder b = ElementwiseProgram.builder(2, 0);
                ElementwiseProgram p = b.store(0, b.unary(op, b.tensor(1))).build();
                try (Scope ignored = Scope.open()) {
                    Tensor x = Tensor.of(dev.descent.core.Device.cpu(), dt, SPECIAL, SPECIAL.length);
                    Tensor out = Tensor.zeros(dt, SPECIAL.length);
                    run(p, out, x);
                    assertSameBits(x.apply(op), out, dt + " " + op.label());
                }
            }
        }
    }

    @Test
    void everyBinaryOpInAProgramGivesTheTensorOpsBits() {
        int n = SPECIAL.length;
        double[] a = new double[n * n];
        double[] c = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i * n + j] = SPECIAL[i];
                c[i * n + j] = SPECIAL[j];
            }
        }
        for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
            for (BinaryOp op : BinaryOp.values()) {
                ElementwiseProgram.Builder b = ElementwiseProgram.builder(3, 0);
                ElementwiseProgram p = b.store(0, b.binary(op, b.tensor(1), b.tensor(2))).build();
                try (Scope ignored = Scope.open()) {
                    Tensor x = Tensor.of(dev.descent.core.Device.cpu(), dt, a, a.length);
                    Tensor y = Tensor.of(dev.descent.core.Device.cpu(), dt, c, c.length);
                    Tensor out = Tensor.zeros(dt, a.length);
                    run(p, out, x, y);
                    assertSameBits(x.apply(op, y), out, dt + " " + op.label());
                }
            }
        }
    }

    @Test
    void aProgramIsWrittenOncePerPrecision() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(2, 1);
        ElementwiseProgram p = b.store(0, b.mul(b.scalar(0), b.unary(UnaryOp.TANH, b.tensor(1)))).build();
        ProgramCompiler.ChunkLoop f = ProgramCompiler.loop(p, true);
        ElementwiseProgram.Builder same = ElementwiseProgram.builder(2, 1);
        ElementwiseProgram q = same.store(0, same.mul(same.scalar(0), same.unary(UnaryOp.TANH, same.tensor(1)))).build();
        assertEquals(f, ProgramCompiler.loop(q, true), "an equal program reuses the loop");
        assertTrue(f != ProgramCompiler.loop(p, false), "float and double loops are two classes");
        float[] out = new float[3];
        f.run(new Object[] {out, new float[] {0, 1, -2}}, new double[] {2}, 3);
        assertEquals(0f, out[0]);
        assertEquals((float) (2 * (double) (float) Math.tanh(1)), out[1]);
        assertEquals((float) (2 * (double) (float) Math.tanh(-2)), out[2]);
    }
}
