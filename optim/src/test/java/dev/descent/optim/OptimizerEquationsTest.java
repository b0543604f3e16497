package dev.descent.optim;

import static dev.descent.optim.TestSupport.assertClose;
import static dev.descent.optim.TestSupport.param;
import static dev.descent.optim.TestSupport.random;
import static dev.descent.optim.TestSupport.setGrad;

import dev.descent.autograd.Variable;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimiser and option, step by step against its equations written as plain float64
 * loops ({@link ReferenceSteps}), on random parameters and random gradients.
 */
class OptimizerEquationsTest {

    private static Arguments c(String name, Function<List<Variable>, Optimizer> make,
            Supplier<ReferenceSteps> ref) {
        return Arguments.of(Named.of(name, make), ref);
    }

    private static Function<List<Variable>, Optimizer> sgd(double lr, double mu, double damp, double wd,
            boolean nesterov, boolean max, boolean fused, boolean ema) {
        return ps -> new SGD(ps).set("lr", lr).set("momentum", mu).set("dampening", damp).set("weightDecay", wd)
                .set("nesterov", nesterov).set("maximize", max).set("fused", fused).set("emaMomentum", ema);
    }

    private static Function<List<Variable>, Optimizer> adam(double wd, boolean decoupled, boolean ams,
            boolean inside, boolean max, boolean fused) {
        return ps -> new Adam(ps).set("lr", 0.05).set("beta1", 0.8).set("beta2", 0.95).set("eps", 1e-3)
                .set("weightDecay", wd).set("decoupledWeightDecay", decoupled).set("amsgrad", ams)
                .set("epsInsideSqrt", inside).set("maximize", max).set("fused", fused);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                c("SGD plain (seed 004 eq. 2.6)", sgd(0.1, 0, 0, 0, false, false, false, false),
                        () -> ReferenceSteps.sgd(0.1, 0, 0, 0, false, false)),
                c("SGD plain fused", sgd(0.1, 0, 0, 0, false, false, true, false),
                        () -> ReferenceSteps.sgd(0.1, 0, 0, 0, false, false)),
                c("SGD weight decay, maximize", sgd(0.1, 0, 0, 0.3, false, true, false, false),
                        () -> ReferenceSteps.sgd(0.1, 0, 0, 0.3, false, true)),
                c("SGD classic momentum (seed 004 eq. 2.7)", sgd(0.1, 0.9, 0, 0, false, false, false, false),
                        () -> ReferenceSteps.sgd(0.1, 0.9, 0, 0, false, false)),
                c("SGD classic momentum fused", sgd(0.1, 0.9, 0, 0.01, false, false, true, false),
                        () -> ReferenceSteps.sgd(0.1, 0.9, 0, 0.01, false, false)),
                c("SGD dampening", sgd(0.1, 0.9, 0.3, 0, false, false, false, false),
                        () -> ReferenceSteps.sgd(0.1, 0.9, 0.3, 0, false, false)),
                c("SGD Nesterov", sgd(0.1, 0.9, 0, 0, true, false, false, false),
                        () -> ReferenceSteps.sgd(0.1, 0.9, 0, 0, true, false)),
                c("SGD Nesterov fused, maximize", sgd(0.1, 0.9, 0, 0.1, true, true, true, false),
                        () -> ReferenceSteps.sgd(0.1, 0.9, 0, 0.1, true, true)),
                c("SGD EMA momentum (seed 003 eq. 6.11)", sgd(0.1, 0.9, 0, 0, false, false, false, true),
                        () -> ReferenceSteps.emaMomentum(0.1, 0.9, false)),
                c("SGD EMA momentum fused", sgd(0.1, 0.9, 0, 0, false, false, true, true),
                        () -> ReferenceSteps.emaMomentum(0.1, 0.9, false)),
                c("SGD EMA Nesterov (seed 003 eq. 6.12)", sgd(0.1, 0.9, 0, 0, true, false, false, true),
                        () -> ReferenceSteps.emaMomentum(0.1, 0.9, true)),
                c("SGD EMA Nesterov fused", sgd(0.1, 0.9, 0, 0, true, false, true, true),
                        () -> ReferenceSteps.emaMomentum(0.1, 0.9, true)),
                c("Adam (seed 003 eqs. 6.15-6.16, PyTorch eps)", adam(0, false, false, false, false, false),
                        () -> ReferenceSteps.adam(0.05, 0.8, 0.95, 1e-3, 0, false, false, false, false)),
                c("Adam fused", adam(0, false, false, false, false, true),
                        () -> ReferenceSteps.adam(0.05, 0.8, 0.95, 1e-3, 0, false, false, false, false)),
                c("Adam eps inside sqrt (seed 003 eq. 6.17)", adam(0, false, false, true, false, false),
                        () -> ReferenceSteps.adam(0.05, 0.8, 0.95, 1e-3, 0, false, false, true, false)),
                c("Adam eps inside sqrt fused", adam(0, false, false, true, false, true),
                        () -> ReferenceSteps.adam(0.05, 0.8, 0.95, 1e-3, 0, false, false, true, false)),
                c("Adam L2, maximize", adam(0.1, false, false, false, true, false),
                        () -> ReferenceSteps.adam(0.05, 0.8, 0.95, 1e-3, 0.1, false, false, false, true)),
                c("Adam L2, maximize fused", adam(0.1, false, false, false, true, true),
                        () -> ReferenceSteps.adam(0.05, 0.8, 0.95, 1e-3, 0.1, false, false, false, true)),
                c("AMSGrad", adam(0, false, true, false, false, false),
                        () -> ReferenceSteps.adam(0.05, 0.8, 0.95, 1e-3, 0, false, true, false, false)),
                c("AMSGrad fused", adam(0, false, true, false, false, true),
                        () -> ReferenceSteps.adam(0.05, 0.8, 0.95, 1e-3, 0, false, true, false, false)),
                c("AdamW (decoupled)", adam(0.2, true, false, false, false, false),
                        () -> ReferenceSteps.adam(0.05, 0.8, 0.95, 1e-3, 0.2, true, false, false, false)),
                c("AdamW fused", adam(0.2, true, false, false, false, true),
                        () -> ReferenceSteps.adam(0.05, 0.8, 0.95, 1e-3, 0.2, true, false, false, false)),
                c("AdamW class defaults", ps -> new AdamW(ps),
                        () -> ReferenceSteps.adam(1e-3, 0.9, 0.999, 1e-8, 1e-2, true, false, false, false)),
                c("Adagrad (seed 002)", ps -> new Adagrad(ps).set("lr", 0.1).set("eps", 1e-3),
                        () -> ReferenceSteps.adagrad(0.1, 0, 0, 1e-3)),
                c("Adagrad lr decay, initial accumulator", ps -> new Adagrad(ps).set("lr", 0.1).set("lrDecay", 0.5)
                        .set("initialAccumulatorValue", 0.2), () -> ReferenceSteps.adagrad(0.1, 0.5, 0.2, 1e-10)),
                c("RMSprop (PyTorch eps)", ps -> new RMSprop(ps).set("lr", 0.01).set("alpha", 0.9).set("eps", 1e-3),
                        () -> ReferenceSteps.rmsprop(0.01, 0.9, 1e-3, 0, false, false)),
                c("RMSprop eps inside sqrt (seeds 001/004)", ps -> new RMSprop(ps).set("lr", 0.01).set("alpha", 0.9)
                        .set("eps", 1e-3).set("epsInsideSqrt", true), () -> ReferenceSteps.rmsprop(0.01, 0.9, 1e-3, 0, false,
                        true)),
                c("RMSprop centered, momentum", ps -> new RMSprop(ps).set("lr", 0.01).set("alpha", 0.9).set("eps", 1e-2)
                        .set("centered", true).set("momentum", 0.5), () -> ReferenceSteps.rmsprop(0.01, 0.9, 1e-2, 0.5, true,
                        false)),
                c("Adadelta", ps -> new Adadelta(ps).set("lr", 0.5).set("rho", 0.8).set("eps", 1e-4),
                        () -> ReferenceSteps.adadelta(0.5, 0.8, 1e-4)),
                c("Adamax", ps -> new Adamax(ps).set("lr", 0.01).set("beta2", 0.9),
                        () -> ReferenceSteps.adamax(0.01, 0.9, 0.9, 1e-8)),
                c("NAdam", ps -> new NAdam(ps).set("lr", 0.01), () -> ReferenceSteps.nadam(0.01, 0.9, 0.999, 1e-8, 4e-3)),
                c("RAdam (rectified after step 5)", ps -> new RAdam(ps).set("lr", 0.01).set("beta2", 0.9),
                        () -> ReferenceSteps.radam(0.01, 0.9, 0.9, 1e-8)),
                c("Yogi", ps -> new Yogi(ps).set("lr", 0.01), () -> ReferenceSteps.yogi(0.01, 0.9, 0.999, 1e-3, 1e-6)),
                c("Lion", ps -> new Lion(ps).set("lr", 0.01).set("weightDecay", 0.1),
                        () -> ReferenceSteps.lion(0.01, 0.9, 0.99, 0.1)),
                c("Sign descent (seed 003 eq. 6.14)", ps -> new SignDescent(ps, 0.01, 1e-2),
                        () -> ReferenceSteps.signDescent(0.01, 1e-2)),
                c("Sign descent, eps 0", ps -> new SignDescent(ps, 0.01, 0), () -> ReferenceSteps.signDescent(0.01, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachStepFollowsTheEquations(Function<List<Variable>, Optimizer> make, Supplier<ReferenceSteps> refs) {
        ReferenceSteps ref = refs.get();
        ReferenceSteps refB = refs.get();
        Random r = new Random(42);
        double[] a0 = random(r, 7, 1);
        double[] b0 = random(r, 3, 1);
        double[] a = a0.clone();
        double[] b = b0.clone();
        try (Variable pa = param(a0); Variable pb = param(b0); Optimizer opt = make.apply(List.of(pa, pb))) {
            for (int step = 0; step < 12; step++) {
                double[] ga = random(r, 7, 1);
                double[] gb = random(r, 3, 0.5);
                setGrad(pa, ga);
                setGrad(pb, gb);
                opt.step();
                ref.step(a, ga);
                refB.step(b, gb);
                assertClose(a, pa.toDoubleArray(), 1e-12, "step " + (step + 1) + " parameter a");
                assertClose(b, pb.toDoubleArray(), 1e-12, "step " + (step + 1) + " parameter b");
            }
            pa.zeroGrad();
            pb.zeroGrad();
        }
    }
}
