package dev.descent.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Conv2dOptions;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Pool2dOptions;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.AdaptiveAvgPool2d;
import dev.descent.nn.AvgPool2d;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.BatchNorm2d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.Standardize;
import dev.descent.nn.activation.GELU;
import dev.descent.nn.activation.LeakyReLU;
import dev.descent.nn.activation.LogSoftmax;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.activation.Sigmoid;
import dev.descent.nn.activation.Softmax;
import dev.descent.nn.activation.Softplus;
import dev.descent.nn.activation.Tanh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every layer Descent has, exported and run in ONNX Runtime on random inputs of another batch
 * size than the example's, gives Descent's eval-mode output within float32 rounding.
 */
class OnnxExportTest {
    @TempDir
    Path dir;

    /** Trains the batch norms' running statistics away from 0 and 1, so the export must carry them. */
    private static void warmUp(Module m, Generator gen, int... inputShape) {
        try (NoGrad off = NoGrad.open(); Scope scope = Scope.open()) {
            m.train();
            for (int i = 0; i < 3; i++) {
                m.forward(Variable.of(Tensor.randn(gen, DType.FLOAT32, inputShape).mul(2).add(0.5)));
            }
        }
    }

    private static double check(Module m, Generator gen, int[] example, int[] input) throws OrtException {
        try (Scope scope = Scope.open()) {
            return OnnxRuntimeCheck.assertSameOutputs(m, Tensor.randn(gen, DType.FLOAT32, example),
                    Tensor.randn(gen, DType.FLOAT32, input));
        }
    }

    @Test
    void anMlpRunsInOnnxRuntimeWithDescentsOutputs() throws Exception {
        Generator gen = new Generator(3);
        try (Sequential mlp = new Sequential(new Linear(784, 256, gen), new ReLU(), new Dropout(0.2, gen),
                new Linear(256, 128, gen), new ReLU(), new Linear(128, 10, gen))) {
            double worst = check(mlp, gen, new int[] {1, 784}, new int[] {37, 784});
            assertTrue(worst <= 1);
            Path file = dir.resolve("mlp.onnx");
            mlp.train();
            try (Tensor example = Tensor.zeros(DType.FLOAT32, 1, 784)) {
                Onnx.export(mlp, example, file);
            }
            assertTrue(Files.size(file) > 4 * (784 * 256 + 256 * 128 + 128 * 10), "the weights are in the file");
            assertTrue(mlp.isTraining(), "export leaves the module in the mode it found it in");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyLayerRunsInOnnxRuntime() {
        Generator gen = new Generator(11);
        List<Object[]> cases = List.of(
                new Object[] {"Linear", new Linear(6, 5, gen), new int[] {4, 6}},
                new Object[] {"Linear without bias", new Linear(6, 5, false, DType.FLOAT32, gen), new int[] {4, 6}},
                new Object[] {"Linear on [N, L, C]", new Linear(6, 3, gen), new int[] {4, 7, 6}},
                new Object[] {"ReLU", new ReLU(), new int[] {5, 8}},
                new Object[] {"Sigmoid", new Sigmoid(), new int[] {5, 8}},
                new Object[] {"Tanh", new Tanh(), new int[] {5, 8}},
                new Object[] {"LeakyReLU", new LeakyReLU(0.2), new int[] {5, 8}},
                new Object[] {"GELU", new GELU(), new int[] {5, 8}},
                new Object[] {"Softplus", new Softplus(), new int[] {5, 8}},
                new Object[] {"Softmax", new Softmax(1), new int[] {5, 8}},
                new Object[] {"LogSoftmax", new LogSoftmax(-1), new int[] {5, 3, 8}},
                new Object[] {"Dropout (eval: identity)", new Dropout(0.5, gen), new int[] {5, 8}},
                new Object[] {"Flatten", new Flatten(), new int[] {5, 2, 3, 4}},
                new Object[] {"Flatten(1, 2)", new Flatten(1, 2), new int[] {5, 2, 3, 4}},
                new Object[] {"BatchNorm1d [N, C]", new BatchNorm1d(6), new int[] {8, 6}},
                new Object[] {"BatchNorm1d [N, C, L]", new BatchNorm1d(3), new int[] {8, 3, 5}},
                new Object[] {"BatchNorm1d, not affine",
                        new BatchNorm1d(6, 1e-3, 0.1, false, DType.FLOAT32), new int[] {8, 6}},
                new Object[] {"Standardize per feature", new Standardize(new double[] {0.5, -1, 2, 0, 3, 1},
                        new double[] {2, 0.5, 1, 3, 0.25, 1}, DType.FLOAT32), new int[] {5, 6}},
                new Object[] {"Standardize global", new Standardize(new double[] {0.3}, new double[] {1.7},
                        DType.FLOAT32), new int[] {5, 2, 6}},
                new Object[] {"Conv2d 3x3, padding 1", new Conv2d(3, 5, 3, Conv2dOptions.DEFAULT.padding(1), gen),
                        new int[] {2, 3, 9, 7}},
                new Object[] {"Conv2d stride 2, dilation 2, no bias",
                        new Conv2d(4, 6, 3, 2, Conv2dOptions.DEFAULT.stride(2, 1).padding(2, 1).dilation(2, 1), false,
                                DType.FLOAT32, gen), new int[] {2, 4, 11, 8}},
                new Object[] {"Conv2d padding same, even kernel", new Conv2d(2, 3, 4,
                        Conv2dOptions.DEFAULT.paddingSame(), gen), new int[] {2, 2, 9, 10}},
                new Object[] {"Conv2d depthwise", new Conv2d(4, 8, 3, Conv2dOptions.DEFAULT.groups(4), gen),
                        new int[] {2, 4, 6, 6}},
                new Object[] {"MaxPool2d 2", new MaxPool2d(2), new int[] {2, 3, 9, 8}},
                new Object[] {"MaxPool2d 3, stride 2, padding 1", new MaxPool2d(Pool2dOptions.of(3).stride(2).padding(1)),
                        new int[] {2, 3, 9, 8}},
                new Object[] {"AvgPool2d 3, stride 2, padding 1",
                        new AvgPool2d(Pool2dOptions.of(3).stride(2).padding(1)), new int[] {2, 3, 9, 8}},
                new Object[] {"AvgPool2d, padding not counted",
                        new AvgPool2d(Pool2dOptions.of(3).stride(2).padding(1).countIncludePad(false)),
                        new int[] {2, 3, 9, 8}},
                new Object[] {"AdaptiveAvgPool2d 1", new AdaptiveAvgPool2d(1), new int[] {2, 3, 5, 7}},
                new Object[] {"AdaptiveAvgPool2d 2x3 of 6x9", new AdaptiveAvgPool2d(2, 3), new int[] {2, 3, 6, 9}},
                new Object[] {"BatchNorm2d", new BatchNorm2d(3), new int[] {4, 3, 5, 5}},
                new Object[] {"the CNN recipe", new Sequential(
                        new Conv2d(1, 8, 3, 3, Conv2dOptions.DEFAULT.padding(1), false, DType.FLOAT32, gen),
                        new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
                        new Conv2d(8, 16, 3, 3, Conv2dOptions.DEFAULT.padding(1), false, DType.FLOAT32, gen),
                        new BatchNorm2d(16), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(16 * 7 * 7, 32, gen),
                        new ReLU(), new Dropout(0.3, gen), new Linear(32, 10, gen)), new int[] {3, 1, 28, 28}},
                new Object[] {"Sequential of all", new Sequential(new Flatten(), new Linear(12, 16, gen),
                        new BatchNorm1d(16), new GELU(), new Dropout(0.1, gen), new Linear(16, 8, gen), new Tanh(),
                        new Linear(8, 4, gen), new LogSoftmax(1)), new int[] {9, 3, 4}});
        return cases.stream().map(c -> DynamicTest.dynamicTest((String) c[0], () -> {
            try (Module m = (Module) c[1]) {
                int[] shape = (int[]) c[2];
                warmUp(m, gen, shape);
                int[] other = shape.clone();
                other[0] = shape[0] + 3;
                assertTrue(check(m, gen, shape, other) <= 1);
            }
        }));
    }

    /** A module of one's own: exported once an exporter is registered for it. */
    static final class Doubler extends Module {
        @Override
        public Variable forward(Variable input) {
            return input.mul(2);
        }
    }

    @Test
    void aModuleWithoutAnExporterIsNamedAndOneCanBeRegistered() throws OrtException {
        try (Doubler d = new Doubler(); Tensor x = Tensor.zeros(DType.FLOAT32, 2, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Onnx.toBytes(d, x));
            assertTrue(e.getMessage().startsWith("Onnx.export: no exporter for " + Doubler.class.getName()),
                    e.getMessage());
            OnnxExporters.register(Doubler.class, (m, in, g) -> g.node("Mul", in, g.scalar("two", 2)));
            assertEquals(0, check(d, new Generator(1), new int[] {2, 3}, new int[] {4, 3}), 1e-9);
        }
    }

    @Test
    void adaptivePoolingWithWindowsOfVaryingSizeIsRefusedNamingTheSizes() {
        try (AdaptiveAvgPool2d pool = new AdaptiveAvgPool2d(2, 3); Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 5, 7)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Onnx.toBytes(pool, x));
            assertTrue(e.getMessage().contains("AdaptiveAvgPool2d to 2x3 of a 5x7 input"), e.getMessage());
        }
    }

    @Test
    void anExampleInputOfAnotherDtypeThanTheWeightsIsRefused() throws IOException {
        try (Linear l = new Linear(2, 2, new Generator(1)); Tensor x = Tensor.zeros(DType.FLOAT64, 1, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Onnx.export(l, x, dir.resolve("x.onnx")));
            assertTrue(e.getMessage().contains("expected a float32 example input (the weights' dtype) or integer"
                    + " indices"), e.getMessage());
            assertTrue(!Files.exists(dir.resolve("x.onnx")));
        }
    }

    @Test
    void aFloat64ModelExportsAndRunsInFloat64() throws Exception {
        try (Sequential m = new Sequential(new Linear(3, 4, true, DType.FLOAT64, new Generator(5)), new Tanh());
             Tensor x = Tensor.zeros(DType.FLOAT64, 1, 3)) {
            byte[] model = Onnx.toBytes(m, x);
            assertTrue(model.length > 0);
            ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
            try (ai.onnxruntime.OrtSession s = env.createSession(model, new ai.onnxruntime.OrtSession.SessionOptions())) {
                assertEquals(ai.onnxruntime.OnnxJavaType.DOUBLE,
                        ((ai.onnxruntime.TensorInfo) s.getInputInfo().get("input").getInfo()).type);
            }
        }
    }
}
