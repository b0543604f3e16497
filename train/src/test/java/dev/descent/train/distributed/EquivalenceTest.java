package dev.descent.train.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.core.DType;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import dev.descent.distributed.RankRun;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * N ranks with batch B/N each end a whole training run with the parameters of one process with
 * batch B; a data-parallel run stopped and resumed ends where an uninterrupted one does. Every
 * rank is its own JVM; the single process runs in this one. See {@link SpiralsRun}.
 */
class EquivalenceTest {
    private static final int EPOCHS = 3;

    @TempDir
    Path dir;

    @BeforeEach
    void glooIsHere() {
        RankRun.assumeGloo();
    }

    @ParameterizedTest(name = "{0} ranks, float64")
    @ValueSource(ints = {2, 3, 4})
    void nRanksEndWhereOneProcessWithTheWholeBatchDoesInFloat64(int ranks) throws IOException {
        double[] single = single(DType.FLOAT64);
        double[] parallel = parallel(ranks, DType.FLOAT64);
        double diff = relativeDifference(single, parallel);
        System.out.printf("float64, %d ranks: max |difference| / max |parameter| = %.3g%n", ranks, diff);
        assertEquals(0, diff, 1e-12);
    }

    /**
     * In float32 the two runs round differently: each gradient is a sum over the batch, which
     * the ranks split in two, so each step's gradient components differ by about u·B of their
     * size (u = 2⁻²⁴ the unit roundoff, B = 24); Adam moves a parameter by at most about lr per
     * step, so a step's difference is about lr·u·B, and T steps' at most T·lr·u·B if the
     * differences add up and are not amplified. The bound allows 20 times that for amplification
     * through the network: 20·T·lr·u·B / max|θ| (1.3e-5 here; measured: 1.4e-7). Real errors
     * land far outside it: a rank's share of the gradient lost moves the parameters by 30%; the
     * gradients summed instead of averaged, to which Adam is blind but for its ε, by 4.4e-5.
     */
    @Test
    void twoRanksEndWithinRoundingOfOneProcessInFloat32() throws IOException {
        double[] single = single(DType.FLOAT32);
        double[] parallel = parallel(2, DType.FLOAT32);
        double diff = relativeDifference(single, parallel);
        double scale = Arrays.stream(single).map(Math::abs).max().orElseThrow();
        int steps = EPOCHS * 13;   // 300 examples in batches of 24
        double bound = 20 * steps * SpiralsRun.LR * Math.ulp(1f) / 2 * SpiralsRun.BATCH / scale;
        System.out.printf("float32, 2 ranks: max |difference| / max |parameter| = %.3g (bound %.3g)%n", diff, bound);
        assertEquals(0, diff, bound);
    }

    @Test
    void aDataParallelRunStoppedAndResumedEndsWhereAnUninterruptedOneDoes() throws IOException {
        double[] whole = parallel(2, DType.FLOAT64);
        Path ckpt = dir.resolve("run.ckpt");
        Path part = dir.resolve("stopped.bin");
        Path rest = dir.resolve("resumed.bin");
        // 13 steps an epoch: stop at step 17, inside epoch 2
        RankRun stopped = RankRun.of(2, Map.of(), RankRun.ONE_THREAD_JVM, SpiralsRun.class,
                "FLOAT64", Integer.toString(EPOCHS), "17", ckpt.toString(), "fresh", part.toString());
        assertEquals(0, stopped.result.exitCode(), stopped.transcript());
        RankRun resumed = RankRun.of(2, Map.of(), RankRun.ONE_THREAD_JVM, SpiralsRun.class,
                "FLOAT64", Integer.toString(EPOCHS), "0", ckpt.toString(), "resume", rest.toString());
        assertEquals(0, resumed.result.exitCode(), resumed.transcript());
        assertArrayEquals(whole, read(rest), "bit for bit");
    }

    private double[] single(DType dtype) throws IOException {
        Path out = dir.resolve("single-" + dtype + ".bin");
        SpiralsRun.run(null, dtype, EPOCHS, 0, null, false, out);
        return read(out);
    }

    private double[] parallel(int ranks, DType dtype) throws IOException {
        Path out = dir.resolve("parallel-" + ranks + "-" + dtype + ".bin");
        RankRun run = RankRun.of(ranks, Map.of("DESCENT_COLLECTIVE_TIMEOUT", "60"), RankRun.ONE_THREAD_JVM,
                SpiralsRun.class, dtype.name(), Integer.toString(EPOCHS), "0", "-", "fresh", out.toString());
        assertEquals(0, run.result.exitCode(), run.transcript());
        return read(out);
    }

    static double relativeDifference(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        return diff / scale;
    }

    static double[] read(Path p) throws IOException {
        List<Double> v = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(p))) {
            while (in.available() > 0) {
                v.add(in.readDouble());
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
