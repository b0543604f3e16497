package dev.descent.nn;

import static dev.descent.nn.Checks.assertAllClose;
import static dev.descent.nn.Checks.gradcheckModule;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Conv2dOptions;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Pool2dOptions;
import dev.descent.core.Scope;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.io.Weights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvolutionalLayersTest {
    @TempDir
    Path dir;

    /**
     * PyTorch's default: W and b uniform in ±1/√fan_in, fan_in = in/groups·kH·kW; the sample's
     * variance is b²/3 within a few percent. He: N(0, 2/fan_in) and a zero bias.
     */
    @Test
    void conv2dStartsAsPyTorchsOrAsHeSays() {
        try (Conv2d conv = new Conv2d(16, 64, 3, 3, Conv2dOptions.DEFAULT.groups(2), true, DType.FLOAT64,
                new Generator(1))) {
            assertArrayEquals(new int[] {64, 8, 3, 3}, conv.weight().shape().dims(), "PyTorch's layout");
            double bound = 1 / Math.sqrt(8 * 9);
            double[] w = conv.weight().data().toDoubleArray();
            double sq = 0;
            for (double v : w) {
                assertTrue(Math.abs(v) <= bound, v + " outside ±" + bound);
                sq += v * v;
            }
            assertEquals(bound * bound / 3, sq / w.length, 0.05 * bound * bound / 3);
            for (double v : conv.bias().data().toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound);
            }
            conv.initHe(new Generator(2));
            sq = 0;
            for (double v : conv.weight().data().toDoubleArray()) {
                sq += v * v;
            }
            assertEquals(2.0 / 72, sq / w.length, 0.1 * 2.0 / 72);
            assertTrue(java.util.Arrays.stream(conv.bias().data().toDoubleArray()).allMatch(v -> v == 0));
        }
    }

    @Test
    void conv2dComputesTheOpWithItsParametersAndChecksItsInput() {
        Generator gen = new Generator(3);
        Conv2dOptions o = Conv2dOptions.DEFAULT.stride(2).padding(1);
        try (Conv2d conv = new Conv2d(3, 4, 3, o, gen); Scope scope = Scope.open()) {
            Tensor x = Tensor.randn(gen, DType.FLOAT32, 2, 3, 7, 7);
            Tensor expected = x.conv2d(conv.weight().data(), conv.bias().data(), o);
            Variable y = conv.forward(Variable.of(x));
            assertEquals(Shape.of(2, 4, 4, 4), y.shape());
            assertArrayEquals(expected.toFloatArray(), y.data().toFloatArray());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> conv.forward(Variable.of(Tensor.zeros(2, 5, 7, 7))));
            assertTrue(e.getMessage().contains("expected input of shape [N, 3, H, W], got [2, 5, 7, 7]"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3, Conv2dOptions.DEFAULT.groups(2), gen));
    }

    @Test
    void gradientsOfAConvolutionalBlockPassGradcheck() {
        Generator gen = new Generator(4);
        try (Sequential block = new Sequential(
                new Conv2d(2, 3, 3, 3, Conv2dOptions.DEFAULT.padding(1), true, DType.FLOAT64, gen),
                new BatchNorm2d(3, 1e-5, 0.1, true, DType.FLOAT64), new ReLU(), new MaxPool2d(2),
                new Conv2d(3, 2, 2, 2, Conv2dOptions.DEFAULT, true, DType.FLOAT64, gen), new AvgPool2d(2),
                new AdaptiveAvgPool2d(1));
             Tensor x = Tensor.randn(gen, DType.FLOAT64, 3, 2, 6, 6)) {
            gradcheckModule(block, x);
            block.eval();
            gradcheckModule(block, x);
        }
    }

    /**
     * Training: each channel of the output has mean β and deviation |γ|·σ/√(σ² + ε); the running
     * mean moves 0.1 of the way to the batch's mean and the running variance to its unbiased
     * variance. Evaluation normalises with the running statistics and changes nothing.
     */
    @Test
    void batchNorm2dNormalisesEachChannelAndKeepsPyTorchsRunningStatistics() {
        int n = 4;
        int c = 3;
        int hw = 25;
        Generator gen = new Generator(5);
        try (BatchNorm2d bn = new BatchNorm2d(c, 1e-5, 0.1, true, DType.FLOAT64); Scope scope = Scope.open()) {
            bn.weight().data().copyFrom(Tensor.of(new double[] {2, -1, 0.5}));
            bn.bias().data().copyFrom(Tensor.of(new double[] {0.1, 0.2, 0.3}));
            Tensor x = Tensor.randn(gen, DType.FLOAT64, n, c, 5, 5).mul(3).add(1);
            double[] xs = x.toDoubleArray();
            double[] y = bn.forward(Variable.of(x)).data().toDoubleArray();
            double[] runningMean = bn.runningMean().toDoubleArray();
            double[] runningVar = bn.runningVar().toDoubleArray();
            double[] gamma = {2, -1, 0.5};
            double[] beta = {0.1, 0.2, 0.3};
            double[] expected = new double[xs.length];
            for (int ch = 0; ch < c; ch++) {
                double mean = 0;
                for (int s = 0; s < n; s++) {
                    for (int k = 0; k < hw; k++) {
                        mean += xs[(s * c + ch) * hw + k] / (n * hw);
                    }
                }
                double var = 0;
                for (int s = 0; s < n; s++) {
                    for (int k = 0; k < hw; k++) {
                        double d = xs[(s * c + ch) * hw + k] - mean;
                        var += d * d / (n * hw);
                    }
                }
                for (int s = 0; s < n; s++) {
                    for (int k = 0; k < hw; k++) {
                        int at = (s * c + ch) * hw + k;
                        expected[at] = gamma[ch] * (xs[at] - mean) / Math.sqrt(var + 1e-5) + beta[ch];
                    }
                }
                assertEquals(0.1 * mean, runningMean[ch], 1e-12);
                assertEquals(0.9 + 0.1 * var * (n * hw) / (n * hw - 1), runningVar[ch], 1e-12);
            }
            assertAllClose(expected, y, 1e-12);
            assertEquals(1, bn.batchesTracked());

            bn.eval();
            try (NoGrad off = NoGrad.open()) {
                double[] z = bn.forward(Variable.of(x)).data().toDoubleArray();
                for (int k = 0; k < xs.length; k++) {
                    int ch = k / hw % c;
                    double e = gamma[ch] * (xs[k] - runningMean[ch]) / Math.sqrt(runningVar[ch] + 1e-5) + beta[ch];
                    assertEquals(e, z[k], 1e-12);
                }
            }
            assertArrayEquals(runningMean, bn.runningMean().toDoubleArray(), "evaluation updates nothing");
            assertEquals(1, bn.batchesTracked());
        }
    }

    @Test
    void poolingLayersApplyTheirOptions() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1, 1, 4, 4);
            assertArrayEquals(new double[] {6, 8, 14, 16}, new MaxPool2d(2).forward(Variable.of(x)).toDoubleArray());
            assertArrayEquals(new double[] {3.5, 5.5, 11.5, 13.5},
                    new AvgPool2d(2).forward(Variable.of(x)).toDoubleArray());
            assertArrayEquals(new double[] {8.5}, new AdaptiveAvgPool2d(1).forward(Variable.of(x)).toDoubleArray());
            // a 3x3 window, stride 2, padding 1, padding not counted: the corner averages 1, 2, 5, 6
            double[] avg = new AvgPool2d(Pool2dOptions.of(3).stride(2).padding(1).countIncludePad(false))
                    .forward(Variable.of(x)).toDoubleArray();
            assertEquals(3.5, avg[0], 1e-12);
        }
    }

    /** Weights files hold PyTorch's names and layouts: conv weights [out, in/groups, kH, kW], batch norm's five entries. */
    @Test
    void weightsFilesUsePyTorchsNamesAndLayouts() throws IOException {
        Path file = dir.resolve("cnn.safetensors");
        Generator gen = new Generator(6);
        try (Sequential a = new Sequential(new Conv2d(4, 8, 3, Conv2dOptions.DEFAULT.groups(2), gen), new BatchNorm2d(8));
             Sequential b = new Sequential(new Conv2d(4, 8, 3, Conv2dOptions.DEFAULT.groups(2), new Generator(7)),
                     new BatchNorm2d(8))) {
            Weights.save(a, file);
            var content = dev.descent.nn.io.SafeTensors.read(file);
            assertEquals(List.of("0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean",
                    "1.running_var", "1.weight"), content.tensors().keySet().stream().sorted().toList());
            assertArrayEquals(new int[] {8, 2, 3, 3}, content.tensors().get("0.weight").shape().dims());
            content.close();
            Weights.load(b, file);
            assertArrayEquals(a.namedState().get("0.weight").toFloatArray(), b.namedState().get("0.weight").toFloatArray());
        }
    }
}
