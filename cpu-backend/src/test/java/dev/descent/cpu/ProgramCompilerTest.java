package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.UnaryOp;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The compiled loops of elementwise programs ({@link ProgramCompiler}): every op, in float32
 * and float64, over chunk arrays and over buffers, gives the same bits as the tensor op of that
 * name (the CPU's composed form), special values included (±0, ±∞, NaN, tiny and huge); which
 * programs run in place; and each program is written once per precision and form.
 */
class ProgramCompilerTest {
    private static final double[] SPECIAL = {0.0, -0.0, 1, -1, 0.5, -2.5, 3.75, 1e-30, -1e-30, 1e30, 7e-46, 1e300,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 0.1, 100, -100, 2, 1e-8};

    /**
     * Runs {@code p} on {@code values} (one array per tensor, in place) through the loop of
     * {@code form}: over the arrays, or over buffers wrapping them.
     */
    private static void run(ElementwiseProgram p, DType dt, ProgramCompiler.Form form, double[][] values) {
        boolean inFloat = dt == DType.FLOAT32;
        Object[] tensors = new Object[values.length];
        for (int k = 0; k < values.length; k++) {
            if (inFloat) {
                float[] f = new float[values[k].length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) values[k][i];
                }
                tensors[k] = form == ProgramCompiler.Form.BUFFERS ? FloatBuffer.wrap(f) : f;
            } else {
                double[] d = values[k].clone();
                tensors[k] = form == ProgramCompiler.Form.BUFFERS ? DoubleBuffer.wrap(d) : d;
            }
        }
        ProgramCompiler.loop(p, inFloat, form).run(tensors, new double[p.scalars()], values[0].length);
        for (int k = 0; k < values.length; k++) {
            Object t = tensors[k];
            for (int i = 0; i < values[k].length; i++) {
                values[k][i] = t instanceof FloatBuffer fb ? fb.get(i) : t instanceof DoubleBuffer db ? db.get(i)
                        : t instanceof float[] f ? f[i] : ((double[]) t)[i];
            }
        }
    }

    private static void assertSameBits(double[] e, double[] g, String what) {
        for (int i = 0; i < e.length; i++) {
            boolean same = Double.isNaN(e[i]) ? Double.isNaN(g[i])
                    : Double.doubleToRawLongBits(e[i]) == Double.doubleToRawLongBits(g[i]);
            assertTrue(same, what + " element " + i + ": the tensor op gives " + e[i] + ", the program " + g[i]);
        }
    }

    @Test
    void everyUnaryOpInAProgramGivesTheTensorOpsBitsInBothForms() {
        for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
            for (UnaryOp op : UnaryOp.values()) {
                ElementwiseProgram.Builder b = ElementwiseProgram.builder(2, 0);
                ElementwiseProgram p = b.store(0, b.unary(op, b.tensor(1))).build();
                try (Scope ignored = Scope.open()) {
                    Tensor x = Tensor.of(Device.cpu(), dt, SPECIAL, SPECIAL.length);
                    double[] expected = x.apply(op).toDoubleArray();
                    for (ProgramCompiler.Form form : ProgramCompiler.Form.values()) {
                        double[][] values = {new double[SPECIAL.length], x.toDoubleArray()};
                        run(p, dt, form, values);
                        assertSameBits(expected, values[0], dt + " " + op.label() + " " + form);
                    }
                }
            }
        }
    }

    @Test
    void everyBinaryOpInAProgramGivesTheTensorOpsBitsInBothForms() {
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
                    Tensor x = Tensor.of(Device.cpu(), dt, a, a.length);
                    Tensor y = Tensor.of(Device.cpu(), dt, c, c.length);
                    double[] expected = x.apply(op, y).toDoubleArray();
                    for (ProgramCompiler.Form form : ProgramCompiler.Form.values()) {
                        double[][] values = {new double[a.length], x.toDoubleArray(), y.toDoubleArray()};
                        run(p, dt, form, values);
                        assertSameBits(expected, values[0], dt + " " + op.label() + " " + form);
                    }
                }
            }
        }
    }

    @Test
    void cheapProgramsRunInPlaceAndTheOthersInChunks() {
        ElementwiseProgram.Builder sgd = ElementwiseProgram.builder(3, 2);
        int b2 = sgd.binary(BinaryOp.ADD, sgd.mul(sgd.scalar(0), sgd.tensor(2)), sgd.tensor(1));
        ElementwiseProgram momentum = sgd.store(2, b2).store(0, sgd.binary(BinaryOp.SUB, sgd.tensor(0),
                sgd.mul(sgd.scalar(1), b2))).build();
        assertEquals(ProgramCompiler.Form.BUFFERS, ProgramCompiler.formFor(momentum));
        ElementwiseProgram.Builder rms = ElementwiseProgram.builder(2, 0);
        ElementwiseProgram root = rms.store(0, rms.binary(BinaryOp.DIV, rms.tensor(1),
                rms.unary(UnaryOp.SQRT, rms.tensor(0)))).build();
        assertEquals(ProgramCompiler.Form.CHUNKS, ProgramCompiler.formFor(root));
        ElementwiseProgram.Builder dead = ElementwiseProgram.builder(2, 0);
        dead.unary(UnaryOp.EXP, dead.tensor(1));
        assertEquals(ProgramCompiler.Form.BUFFERS, ProgramCompiler.formFor(dead.store(0, dead.tensor(1)).build()),
                "a step nothing stores does not count");
    }

    @Test
    void aProgramIsWrittenOncePerPrecision() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(2, 1);
        ElementwiseProgram p = b.store(0, b.mul(b.scalar(0), b.unary(UnaryOp.TANH, b.tensor(1)))).build();
        ProgramCompiler.CompiledLoop f = ProgramCompiler.loop(p, true, ProgramCompiler.Form.CHUNKS);
        ElementwiseProgram.Builder same = ElementwiseProgram.builder(2, 1);
        ElementwiseProgram q = same.store(0, same.mul(same.scalar(0), same.unary(UnaryOp.TANH, same.tensor(1)))).build();
        assertEquals(f, ProgramCompiler.loop(q, true, ProgramCompiler.Form.CHUNKS), "an equal program reuses the loop");
        assertTrue(f != ProgramCompiler.loop(p, false, ProgramCompiler.Form.CHUNKS), "float and double loops differ");
        assertTrue(f != ProgramCompiler.loop(p, true, ProgramCompiler.Form.BUFFERS), "so do the two forms");
        float[] out = new float[3];
        f.run(new Object[] {out, new float[] {0, 1, -2}}, new double[] {2}, 3);
        assertEquals(0f, out[0]);
        assertEquals((float) (2 * (double) (float) Math.tanh(1)), out[1]);
        assertEquals((float) (2 * (double) (float) Math.tanh(-2)), out[2]);
    }
}
