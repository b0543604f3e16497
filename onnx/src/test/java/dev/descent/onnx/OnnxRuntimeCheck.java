package dev.descent.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.Module;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * Runs an exported model in ONNX Runtime (the independent checker) and compares its output
 * with Descent's eval-mode forward on the same input.
 */
final class OnnxRuntimeCheck {
    /**
     * float32 rounding: each output within 1e-5 · max(1, |y|) of Descent's, a few float32 ulps
     * of the largest terms (the two runtimes add the terms of a product in different orders).
     */
    static final double TOLERANCE = 1e-5;

    private OnnxRuntimeCheck() {
    }

    /** ONNX Runtime's output for a float32 {@code input}, with its shape. */
    static float[] run(byte[] model, Tensor input, long[] shapeOut) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] dims = Arrays.stream(input.shape().dims()).asLongStream().toArray();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.toFloatArray()), dims);
                 OrtSession.Result r = session.run(Map.of("input", x))) {
                OnnxTensor y = (OnnxTensor) r.get(0);
                long[] shape = y.getInfo().getShape();
                System.arraycopy(shape, 0, shapeOut, 0, shape.length);
                FloatBuffer b = y.getFloatBuffer();
                float[] out = new float[b.remaining()];
                b.get(out);
                return out;
            }
        }
    }

    /** Exports {@code module} on {@code example}, runs it on {@code input} in both runtimes, and returns the largest error share. */
    static double assertSameOutputs(Module module, Tensor example, Tensor input) throws OrtException {
        byte[] model = Onnx.toBytes(module, example);
        int[] descentShape;
        float[] expected;
        module.eval();
        try (NoGrad off = NoGrad.open(); Scope scope = Scope.open()) {
            Tensor y = module.forward(Variable.of(input)).data();
            descentShape = y.shape().dims();
            expected = y.toFloatArray();
        }
        long[] ortShape = new long[descentShape.length];
        float[] got = run(model, input, ortShape);
        assertArrayEquals(Arrays.stream(descentShape).asLongStream().toArray(), ortShape, "output shape");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double allowed = TOLERANCE * Math.max(1, Math.abs(expected[i]));
            double err = Math.abs(got[i] - expected[i]);
            int at = i;
            assertTrue(err <= allowed, () -> module.getClass().getSimpleName() + ": element " + at + " is "
                    + got[at] + " in ONNX Runtime, " + expected[at] + " in Descent");
            worst = Math.max(worst, err / allowed);
        }
        return worst;
    }
}
