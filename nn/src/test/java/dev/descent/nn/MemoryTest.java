package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.cpu.CpuBackend;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.loss.CrossEntropyLoss;
import org.junit.jupiter.api.Test;

/**
 * Model code holds maths, the caller's scope owns the temporaries: an inference pass and a
 * training step, each inside a {@link Scope}, leave the CPU backend's live memory where it was,
 * step after step.
 */
class MemoryTest {

    private static Sequential net(Generator gen) {
        return new Sequential(new Linear(4, 8, gen), new BatchNorm1d(8), new ReLU(), new Dropout(0.25, gen),
                new Flatten(), new Linear(8, 3, gen));
    }

    @Test
    void inferenceUnderNoGradLeavesNothingBehind() {
        try (Sequential model = net(new Generator(1))) {
            model.eval();
            try (NoGrad off = NoGrad.open(); Variable x = Variable.of(Tensor.ones(5, 4))) {
                long before = CpuBackend.liveBytes();
                for (int i = 0; i < 3; i++) {
                    try (Scope scope = Scope.open()) {
                        model.forward(x);
                    }
                    assertEquals(before, CpuBackend.liveBytes(), "live bytes after pass " + i);
                }
            }
        }
    }

    @Test
    void trainingStepsRunInConstantMemory() {
        Generator gen = new Generator(2);
        try (Sequential model = net(gen)) {
            CrossEntropyLoss loss = new CrossEntropyLoss();
            long afterFirst = 0;
            for (int step = 0; step < 4; step++) {
                try (Scope scope = Scope.open()) {
                    Variable x = Variable.of(Tensor.randn(gen, dev.descent.core.DType.FLOAT32, 6, 4));
                    Tensor labels = Tensor.of(new int[] {0, 1, 2, 0, 1, 2});
                    Variable l = loss.apply(model.forward(x), labels);
                    l.backward();
                    try (NoGrad off = NoGrad.open()) {
                        for (Variable p : model.parameters()) {
                            p.addScaledInPlace(p.grad(), -0.1);
                        }
                    }
                }
                if (step == 0) {
                    afterFirst = CpuBackend.liveBytes();
                } else {
                    assertEquals(afterFirst, CpuBackend.liveBytes(), "live bytes after step " + step);
                }
            }
        }
    }
}
