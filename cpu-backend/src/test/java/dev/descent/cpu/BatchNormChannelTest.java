package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.core.BatchNormGradients;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Batch norm reads a channel whole into an array when it fits ({@code BatchNorm.CHANNEL_ELEMENTS})
 * and plane by plane, once a pass, when it does not: both give the same bits, forward (output and
 * batch statistics) and backward (all three gradients), on a channel-major and a permuted input.
 */
class BatchNormChannelTest {
    @AfterEach
    void restoreLimit() {
        BatchNorm.setChannelElements(BatchNorm.CHANNEL_ELEMENTS);
    }

    private static List<double[]> run(DType dt, boolean permuted) {
        Generator g = new Generator(3);
        List<double[]> results = new ArrayList<>();
        try (Scope scope = Scope.open()) {
            Tensor x = permuted ? Tensor.randn(g, dt, 5, 6, 7, 3).mul(3).add(10).permute(0, 3, 1, 2)
                    : Tensor.randn(g, dt, 5, 3, 6, 7).mul(3).add(10);
            Tensor w = Tensor.randn(g, dt, 3);
            Tensor b = Tensor.randn(g, dt, 3);
            Tensor mean = Tensor.zeros(dt, 3);
            Tensor var = Tensor.zeros(dt, 3);
            Tensor out = Tensor.batchNorm(x, w, b, mean, var, 1e-5, true);
            Tensor gradOut = Tensor.randn(g, dt, out.shape().dims());
            BatchNormGradients grads = Tensor.batchNormBackward(gradOut, x, w, mean, var, 1e-5, true, true, true, true);
            for (Tensor t : new Tensor[] {out, mean, var, grads.input(), grads.weight(), grads.bias()}) {
                results.add(t.toDoubleArray());
            }
        }
        return results;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void wholeChannelsAndPlaneByPlaneGiveTheSameBits(DType dt) {
        for (boolean permuted : new boolean[] {false, true}) {
            List<double[]> whole = run(dt, permuted);
            BatchNorm.setChannelElements(41);   // below a channel's 5·42 elements: plane by plane
            List<double[]> planes = run(dt, permuted);
            BatchNorm.setChannelElements(BatchNorm.CHANNEL_ELEMENTS);
            for (int i = 0; i < whole.size(); i++) {
                for (int k = 0; k < whole.get(i).length; k++) {
                    assertEquals(Double.doubleToRawLongBits(whole.get(i)[k]), Double.doubleToRawLongBits(planes.get(i)[k]),
                            dt + (permuted ? " permuted" : "") + " result " + i + " element " + k);
                }
            }
        }
    }
}
