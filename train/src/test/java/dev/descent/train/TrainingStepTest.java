package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.nn.loss.MseLoss;
import dev.descent.optim.Adam;
import dev.descent.optim.SGD;
import dev.descent.optim.clip.GradientClipping;
import dev.descent.train.data.Batch;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.GeneratedData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The step does what its Javadoc's seven lines say, checked against those lines written out by hand. */
class TrainingStepTest {
    private static Sequential mlp(long seed) {
        Generator gen = new Generator(seed);
        return new Sequential(new Linear(4, 8, true, DType.FLOAT64, gen), new ReLU(),
                new Linear(8, 3, true, DType.FLOAT64, gen));
    }

    private static List<double[]> weights(Sequential m) {
        List<double[]> w = new ArrayList<>();
        for (Variable p : m.parameters()) {
            w.add(p.data().toDoubleArray());
        }
        return w;
    }

    @Test
    void aClippedStepEqualsForwardLossBackwardClipStepZeroGradWrittenOut() {
        Generator gen = new Generator(9);
        try (Scope scope = Scope.open();
             Sequential byStep = mlp(1);
             Sequential byHand = mlp(1);
             Adam a = new Adam(byStep.parameters(), 0.05);
             Adam b = new Adam(byHand.parameters(), 0.05)) {
            CrossEntropyLoss ce = new CrossEntropyLoss();
            TrainingStep step = TrainingStep.of(byStep, ce, a).clipNorm(0.5);
            for (int k = 0; k < 5; k++) {
                Tensor x = Tensor.randn(gen, DType.FLOAT64, 6, 4).mul(3);
                Tensor y = Tensor.of(new int[] {0, 1, 2, 2, 1, 0}, 6);
                TrainingStep.Result r = step.run(x, y);

                Variable loss = ce.apply(byHand.forward(Variable.of(x)), y);
                double expectedLoss = loss.item();
                loss.backward();
                double expectedNorm = GradientClipping.clipByGlobalNorm(byHand.parameters(), 0.5);
                b.step();
                b.zeroGrad();

                assertEquals(expectedLoss, r.loss(), 0, "step " + k);
                assertEquals(expectedNorm, r.gradNorm(), 0, "step " + k);
                assertTrue(r.updated());
                assertTrue(expectedNorm > 0.5, "the gradients were clipped: " + expectedNorm);
                List<double[]> got = weights(byStep);
                List<double[]> want = weights(byHand);
                for (int i = 0; i < got.size(); i++) {
                    assertArrayEquals(want.get(i), got.get(i), 0, "parameter " + i + " after step " + k);
                }
                for (Variable p : byStep.parameters()) {
                    assertNull(p.grad(), "zero-grad after the step");
                }
            }
        }
    }

    @Test
    void theReadmeSnippetRuns() {
        try (DataSplit data = GeneratedData.twoSpirals(20, 4, 0.05, new Generator(1));
             Sequential model = new Sequential(new Linear(2, 8, new Generator(2)), new ReLU(),
                     new Linear(8, 2, new Generator(3)));
             Adam adam = new Adam(model.parameters(), 1e-3)) {
            for (Batch batch : new DataLoader(data.train(), 16, 1).epoch(0)) {
                try (batch) {
                    // train/README.md, verbatim:
                    TrainingStep step = TrainingStep.of(model, new CrossEntropyLoss(), adam).clipNorm(1.0);
                    TrainingStep.Result r = step.run(batch.features(), batch.targets());   // r.loss(), r.gradNorm(), r.updated()
                    assertTrue(r.updated() && r.loss() > 0 && r.gradNorm() > 0, r.toString());
                }
            }
            assertEquals(3, adam.stepCount());
        }
    }

    @Test
    void theNormIsMeasuredOnlyWhenAskedOrClipped() {
        try (Scope scope = Scope.open();
             Linear model = new Linear(2, 1, true, DType.FLOAT64, new Generator(0));
             SGD sgd = new SGD(model.parameters(), 0.1, 0)) {
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
            Tensor y = Tensor.of(new double[] {1, 0}, 2, 1);
            assertTrue(Double.isNaN(TrainingStep.of(model, new MseLoss(), sgd).run(x, y).gradNorm()));
            assertTrue(TrainingStep.of(model, new MseLoss(), sgd).measureGradNorm().run(x, y).gradNorm() > 0);
            assertTrue(TrainingStep.of(model, new MseLoss(), sgd).clipNorm(10).run(x, y).gradNorm() > 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrainingStep.of(model, new MseLoss(), sgd).clipNorm(Double.POSITIVE_INFINITY));
            assertEquals("TrainingStep: expected a finite clip norm >= 0 (0: off), got Infinity", e.getMessage());
        }
    }

    @Test
    void aStepWithANonFiniteLossOrNormOrADivergenceTestUpdatesNothing() {
        try (Scope scope = Scope.open();
             Linear model = new Linear(2, 1, true, DType.FLOAT64, new Generator(0));
             SGD sgd = new SGD(model.parameters(), 0.1, 0)) {
            double[] before = model.weight().data().toDoubleArray();
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
            TrainingStep.Result nan = TrainingStep.of(model, new MseLoss(), sgd).measureGradNorm()
                    .run(x, Tensor.of(new double[] {Double.NaN, 0}, 2, 1));
            assertTrue(Double.isNaN(nan.loss()));
            assertFalse(nan.updated());
            Tensor huge = Tensor.of(new double[] {1e300, 1e300, 1e300, 1e300}, 2, 2);
            TrainingStep.Result infinite = TrainingStep.of(model, new MseLoss(), sgd).measureGradNorm()
                    .run(huge, Tensor.of(new double[] {0, 0}, 2, 1));
            assertFalse(infinite.updated(), infinite.toString());
            List<Double> seen = new ArrayList<>();
            TrainingStep.Result refused = TrainingStep.of(model, new MseLoss(), sgd).divergesWhen(l -> seen.add(l))
                    .run(x, Tensor.of(new double[] {1, 0}, 2, 1));
            assertFalse(refused.updated());
            assertEquals(List.of(refused.loss()), seen, "the test saw the step's loss once");
            assertArrayEquals(before, model.weight().data().toDoubleArray(), 0, "no step was taken");
            assertNull(model.weight().grad());
        }
    }
}
