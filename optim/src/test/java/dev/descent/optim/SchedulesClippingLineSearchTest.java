package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.optim.clip.GradientClipping;
import dev.descent.optim.linesearch.ArmijoBacktracking;
import dev.descent.optim.linesearch.GoldenSectionSearch;
import dev.descent.optim.schedule.LrScheduler;
import dev.descent.optim.schedule.ReduceLrOnPlateau;
import dev.descent.optim.schedule.Schedule;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Schedules, gradient clipping, line searches and SWATS's switch, against hand-computed values. */
class SchedulesClippingLineSearchTest {

    @Test
    void linearScheduleFollowsSeed001() {
        Schedule s = Schedule.linear(1.0, 0.01, 100);
        assertEquals(1.0, s.at(0), 0);
        assertEquals(0.5 * 1.0 + 0.5 * 0.01, s.at(50), 1e-15);
        assertEquals(0.75 * 1.0 + 0.25 * 0.01, s.at(25), 1e-15);
        assertEquals(0.01, s.at(100), 0);
        assertEquals(0.01, s.at(1000), 0);
    }

    @Test
    void decaysMatchTheirFormulas() {
        Schedule step = Schedule.stepDecay(0.1, 0.5, 10);
        assertEquals(0.1, step.at(9), 0);
        assertEquals(0.05, step.at(10), 0);
        assertEquals(0.025, step.at(25), 1e-17);
        Schedule multi = Schedule.multiStep(1, 0.1, 30, 80);
        assertEquals(1, multi.at(29), 0);
        assertEquals(0.1, multi.at(30), 1e-16);
        assertEquals(0.01, multi.at(80), 1e-16);
        assertEquals(1 * Math.pow(0.9, 7), Schedule.exponential(1, 0.9).at(7), 1e-15);
        assertEquals(0.25 * (1 - 0.1) + 0.1, Schedule.polynomial(1, 0.1, 10, 2).at(5), 1e-15);
        assertEquals(0.1, Schedule.polynomial(1, 0.1, 10, 2).at(20), 1e-15);
        assertEquals(0.55, Schedule.cosine(1, 0.1, 10).at(5), 1e-15);
    }

    @Test
    void cosineWarmRestartsRestartsAtTheEndOfEachCycle() {
        Schedule s = Schedule.cosineWarmRestarts(1, 0, 10, 2);
        assertEquals(1, s.at(0), 1e-15);
        assertEquals(0.5, s.at(5), 1e-15);
        assertEquals(1, s.at(10), 1e-15, "restart after 10");
        assertEquals(0.5, s.at(20), 1e-15, "second cycle is 20 long");
        assertEquals(1, s.at(30), 1e-15, "restart after 10 + 20");
        Schedule same = Schedule.cosineWarmRestarts(1, 0, 4, 1);
        assertEquals(same.at(1), same.at(5), 0);
    }

    @Test
    void oneCycleRisesToItsPeakThenFallsToTheFinalRate() {
        Schedule s = Schedule.oneCycle(1.0, 100);
        assertEquals(1.0 / 25, s.at(0), 1e-15);
        assertEquals(1.0, s.at(29), 1e-12);
        assertEquals(1.0 / 25 / 1e4, s.at(99), 1e-15);
        assertTrue(s.at(10) > s.at(5) && s.at(60) < s.at(40));
    }

    @Test
    void warmUpThenDecayComposeInSequenceAndChainsMultiply() {
        Schedule s = Schedule.sequence(List.of(Schedule.linearWarmup(0, 1, 10), Schedule.exponential(1, 0.5)), 10);
        assertEquals(0, s.at(0), 0);
        assertEquals(0.5, s.at(5), 1e-15);
        assertEquals(1, s.at(10), 0);
        assertEquals(0.25, s.at(12), 0);
        Schedule chained = Schedule.constant(2).times(Schedule.stepDecay(1, 0.1, 5));
        assertEquals(0.2, chained.at(5), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Schedule.sequence(List.of(Schedule.constant(1)), 3));
    }

    @Test
    void schedulerSetsEachGroupsLearningRatePerStep() {
        try (Variable a = TestSupport.param(1.0); Variable b = TestSupport.param(1.0); SGD opt = new SGD(List.of(a))) {
            opt.set("lr", 0.1);
            opt.addParamGroup(List.of(b), Map.of("lr", 0.01));
            LrScheduler relative = LrScheduler.relative(opt, Schedule.stepDecay(1, 0.5, 2));
            relative.step();
            relative.step();
            assertEquals(0.05, opt.paramGroups().get(0).lr(), 1e-16);
            assertEquals(0.005, opt.paramGroups().get(1).lr(), 1e-17);
            LrScheduler absolute = LrScheduler.absolute(opt, Schedule.linear(1, 0, 4));
            absolute.setCount(1);
            assertEquals(0.75, opt.paramGroups().get(1).lr(), 0);
        }
    }

    @Test
    void reduceOnPlateauCutsTheRateAfterPatienceRunsOut() {
        try (Variable a = TestSupport.param(1.0); SGD opt = new SGD(List.of(a))) {
            opt.set("lr", 1.0);
            ReduceLrOnPlateau plateau = new ReduceLrOnPlateau(opt, false, 0.5, 2, 1e-4, 0, 0.1);
            assertFalse(plateau.step(10));
            assertFalse(plateau.step(9));
            assertFalse(plateau.step(9.5));
            assertFalse(plateau.step(9.5));
            assertTrue(plateau.step(9.5), "third epoch without improvement");
            assertEquals(0.5, opt.paramGroups().get(0).lr(), 0);
            for (int i = 0; i < 20; i++) {
                plateau.step(9.5);
            }
            assertEquals(0.1, opt.paramGroups().get(0).lr(), 0, "never below minLr");
        }
    }

    /** A reducer restored from another's state (and the optimiser's lr) continues as the original would. */
    @Test
    void reduceOnPlateauResumesFromItsState() {
        double[] metrics = {10, 9, 9.5, 9.5, 9.5, 9.2, 9.4, 9.4, 9.4, 9.4};
        try (Variable a = TestSupport.param(1.0); SGD whole = new SGD(List.of(a)); SGD resumed = new SGD(List.of(a))) {
            whole.set("lr", 1.0);
            ReduceLrOnPlateau original = new ReduceLrOnPlateau(whole, false, 0.5, 1, 1e-4, 1, 0);
            for (int i = 0; i < 4; i++) {
                original.step(metrics[i]);
            }
            resumed.set("lr", whole.paramGroups().get(0).lr());
            ReduceLrOnPlateau copy = new ReduceLrOnPlateau(resumed, false, 0.5, 1, 1e-4, 1, 0);
            copy.restore(original.state());
            for (int i = 4; i < metrics.length; i++) {
                assertEquals(original.step(metrics[i]), copy.step(metrics[i]), "epoch " + i);
                assertEquals(whole.paramGroups().get(0).lr(), resumed.paramGroups().get(0).lr(), 0, "epoch " + i);
            }
            assertEquals(original.state(), copy.state());
            assertTrue(whole.paramGroups().get(0).lr() < 0.5, "the sequence reduced the rate more than once");
        }
    }

    @Test
    void clippingByGlobalNormScalesEveryGradientAndReturnsTheNorm() {
        try (Variable a = TestSupport.param(0, 0); Variable b = TestSupport.param(0)) {
            TestSupport.setGrad(a, new double[] {3, 4});
            TestSupport.setGrad(b, new double[] {12});
            double norm = GradientClipping.clipByGlobalNorm(List.of(a, b), 6.5);
            assertEquals(13, norm, 1e-12);
            double c = 6.5 / (13 + 1e-6);
            assertArrayEquals(new double[] {3 * c, 4 * c}, a.grad().toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {12 * c}, b.grad().toDoubleArray(), 1e-12);
            assertEquals(6.5, GradientClipping.globalNorm(List.of(a, b), 2), 1e-5);
            assertEquals(6.5, GradientClipping.clipByGlobalNorm(List.of(a, b), 100), 1e-5, "below the bound: unchanged");
            assertEquals(12 * c, GradientClipping.globalNorm(List.of(a, b), Double.POSITIVE_INFINITY), 1e-12);
            a.zeroGrad();
            b.zeroGrad();
        }
    }

    @Test
    void theGlobalNormAndItsClippingStayOnTheDevice() {
        try (Scope scope = Scope.open(); Variable a = TestSupport.param(0, 0); Variable b = TestSupport.param(0);
             Variable none = TestSupport.param(0)) {
            TestSupport.setGrad(a, new double[] {3, -4});
            TestSupport.setGrad(b, new double[] {12});
            List<Variable> params = List.of(a, b, none);   // one without a gradient: skipped
            Tensor norm = GradientClipping.norm(params, 2);
            assertEquals(DType.FLOAT64, norm.dtype());
            assertEquals(0, norm.rank(), "a device scalar");
            assertEquals(13, norm.item(), 1e-12);
            assertEquals(19, GradientClipping.norm(params, 1).item(), 1e-12);
            assertEquals(12, GradientClipping.norm(params, Double.POSITIVE_INFINITY).item(), 0);
            assertEquals(Math.cbrt(27 + 64 + 1728), GradientClipping.norm(params, 3).item(), 1e-12);
            GradientClipping.clipToNorm(params, norm, 6.5);
            double c = 6.5 / (13 + 1e-6);
            assertArrayEquals(new double[] {3 * c, -4 * c}, a.grad().toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {12 * c}, b.grad().toDoubleArray(), 1e-12);
            GradientClipping.clipToNorm(params, GradientClipping.norm(params, 2), 100);
            assertArrayEquals(new double[] {12 * c}, b.grad().toDoubleArray(), 0, "below the bound: unchanged");
            assertEquals(0, GradientClipping.norm(List.of(none), 2).item(), "no gradients: 0");
            TestSupport.setGrad(b, new double[] {Double.NaN});
            GradientClipping.clipToNorm(params, GradientClipping.norm(params, 2), 1);
            assertTrue(Double.isNaN(a.grad().toDoubleArray()[0]), "a NaN norm scales by NaN, as PyTorch");
            a.zeroGrad();
            b.zeroGrad();
        }
    }

    @Test
    void clippingByValueAndNonFiniteNorms() {
        try (Variable a = TestSupport.param(0, 0, 0)) {
            TestSupport.setGrad(a, new double[] {-3, 0.5, 2});
            GradientClipping.clipByValue(List.of(a), 1);
            assertArrayEquals(new double[] {-1, 0.5, 1}, a.grad().toDoubleArray(), 0);
            TestSupport.setGrad(a, new double[] {Double.NaN, 1, 1});
            ArithmeticException e = assertThrows(ArithmeticException.class,
                    () -> GradientClipping.clipByGlobalNorm(List.of(a), 1, 2, true));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            a.zeroGrad();
        }
    }

    @Test
    void goldenSectionBracketsTheMinimumOfAUnimodalFunction() {
        AtomicInteger evaluations = new AtomicInteger();
        double alpha = new GoldenSectionSearch(2, 1e-9).search(t -> {
            evaluations.incrementAndGet();
            return (t - 0.3) * (t - 0.3) + 1;
        }, 1.09, -0.6);
        assertEquals(0.3, alpha, 1e-7, "values are flat to ~1e-16 within sqrt(eps) of the minimum");
        assertTrue(evaluations.get() < 60, "one evaluation per shrink: " + evaluations.get());
    }

    @Test
    void armijoShrinksUntilSufficientDecrease() {
        // φ(α) = (1 − 4α)²: φ(0) = 1, φ'(0) = −8; α = 1 and 0.5 fail, 0.25 hits the minimum.
        double alpha = new ArmijoBacktracking().search(t -> (1 - 4 * t) * (1 - 4 * t), 1, -8);
        assertEquals(0.25, alpha, 0);
    }

    @Test
    void swatsSwitchesToSgdOnAQuadratic() {
        try (Variable p = TestSupport.param(1, -2, 0.5); Swats opt = new Swats(List.of(p), 0.01)) {
            opt.set("switchTolerance", 1e-3);
            for (int t = 0; t < 400 && !opt.switchedToSgd(p); t++) {
                double[] x = p.toDoubleArray();
                TestSupport.setGrad(p, new double[] {x[0], 2 * x[1], 3 * x[2]});
                opt.step();
            }
            assertTrue(opt.switchedToSgd(p), "switched");
            assertTrue(opt.sgdLearningRate(p) > 0, "learning rate " + opt.sgdLearningRate(p));
            p.zeroGrad();
        }
    }
}
