package dev.descent.bench.nn;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.loss.TokenCrossEntropyLoss;
import dev.descent.nn.transformer.Gpt;
import dev.descent.nn.transformer.GptConfig;
import dev.descent.optim.AdamW;
import dev.descent.optim.WeightDecayGroups;
import dev.descent.optim.clip.GradientClipping;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A training step of the README's GPT (4 layers, 4 heads, width 128, context 128, a vocabulary
 * of 96) on a float32 batch of {@link #BATCH} windows: forward, token cross-entropy, backward,
 * global norm clipped to 1, AdamW over the two weight-decay groups, zero-grad
 * ({@code trainStep}), against the forward pass alone with recording off ({@code forwardNoGrad},
 * the reference: backward costs about two forwards, so a ratio near 3 leaves little on the
 * table). The PyTorch peer for the same step is {@code train/reference/gpt_pytorch.py time}.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TransformerStepBenchmark {
    /** Windows per step. */
    public static final int BATCH = 32;
    /** Tokens per window. */
    public static final int CONTEXT = 128;
    private static final int VOCAB = 96;

    private Gpt model;
    private AdamW optimizer;
    private Tensor inputs;
    private Tensor targets;

    @Setup(Level.Trial)
    public void setUp() {
        Generator gen = new Generator(7);
        model = new Gpt(new GptConfig(VOCAB, CONTEXT, 4, 4, 128, 0), gen);
        optimizer = WeightDecayGroups.matricesOnly(model.parameters()).adamW(1e-3, 0.1);
        int[] x = new int[BATCH * CONTEXT];
        int[] y = new int[BATCH * CONTEXT];
        for (int i = 0; i < x.length; i++) {
            x[i] = gen.nextInt(VOCAB);
            y[i] = gen.nextInt(VOCAB);
        }
        inputs = Tensor.of(x, BATCH, CONTEXT);
        targets = Tensor.of(y, BATCH, CONTEXT);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        optimizer.close();
        model.close();
        inputs.close();
        targets.close();
    }

    @Benchmark
    public double trainStep() {
        try (Scope scope = Scope.open()) {
            Variable loss = new TokenCrossEntropyLoss().apply(model.forward(Variable.of(inputs)), targets);
            loss.backward();
            GradientClipping.clipToNorm(optimizer.params(), GradientClipping.norm(optimizer.params(), 2), 1.0);
            optimizer.step();
            optimizer.zeroGrad();
            return loss.item();
        }
    }

    @Benchmark
    public double forwardNoGrad() {
        try (NoGrad off = NoGrad.open(); Scope scope = Scope.open()) {
            return new TokenCrossEntropyLoss().apply(model.forward(Variable.of(inputs)), targets).item();
        }
    }
}
