package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.optim.linesearch.ArmijoBacktracking;
import dev.descent.optim.linesearch.GoldenSectionSearch;
import dev.descent.optim.linesearch.LineSearchDescent;
import dev.descent.optim.secondorder.LBFGS;
import dev.descent.optim.secondorder.Newton;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimiser reduces the loss of an ill-conditioned quadratic, of Rosenbrock's function
 * and of a small MLP; Newton solves a quadratic in one step; L-BFGS solves Rosenbrock.
 */
class ConvergenceTest {

    /** ½(x² + 50·y²): condition number 50. */
    static Variable quadratic(Variable p) {
        Variable w = Variable.of(Tensor.of(new double[] {0.5, 25}));
        return p.square().mul(w).sum();
    }

    /** (1 − x)² + 100·(y − x²)², minimum 0 at (1, 1). */
    static Variable rosenbrock(Variable p) {
        Variable x = p.narrow(0, 0, 1);
        Variable y = p.narrow(0, 1, 1);
        return x.rsub(1).square().add(y.sub(x.square()).square().mul(100)).sum();
    }

    static Stream<Arguments> optimisers() {
        return Stream.of(
                a("SGD", ps -> new SGD(ps, 0.03, 0), 0.001, 0.03),
                a("SGD momentum", ps -> new SGD(ps, 0.003, 0.9), 0.001, 0.1),
                a("SGD Nesterov", ps -> new SGD(ps, 0.003, 0.9).set("nesterov", true), 0.001, 0.1),
                a("SGD EMA momentum", ps -> new SGD(ps, 0.03, 0.9).set("emaMomentum", true), 0.001, 0.1),
                a("Adam", ps -> new Adam(ps, 0.05), 0.01),
                a("AdamW", ps -> new AdamW(ps, 0.05, 0.01), 0.01),
                a("AMSGrad", ps -> new Adam(ps, 0.05).set("amsgrad", true), 0.01),
                a("Adagrad", ps -> new Adagrad(ps, 0.3), 0.01),
                a("RMSprop", ps -> new RMSprop(ps, 0.01), 0.01),
                a("RMSprop centered", ps -> new RMSprop(ps, 0.01).set("centered", true), 0.01),
                a("Adadelta", ps -> new Adadelta(ps).set("lr", 1.0).set("eps", 1e-3), 0.3, 0.05),
                a("Adamax", ps -> new Adamax(ps).set("lr", 0.05), 0.01),
                a("NAdam", ps -> new NAdam(ps).set("lr", 0.05), 0.01),
                a("RAdam", ps -> new RAdam(ps).set("lr", 0.05), 0.01, 0.1),
                a("Yogi", ps -> new Yogi(ps).set("lr", 0.05), 0.01),
                a("Lion", ps -> new Lion(ps).set("lr", 0.01), 0.05),
                a("SignDescent", ps -> new SignDescent(ps, 0.01, 1e-8), 0.05, 0.2),
                a("Swats", ps -> new Swats(ps, 0.05), 0.05));
    }

    private static Arguments a(String name, Function<List<Variable>, Optimizer> make, double quadraticBound) {
        return a(name, make, quadraticBound, 1);
    }

    /** @param rosenbrockLrScale Rosenbrock's curvature near (−1, 1) is ~800: smaller rates for the SGD family */
    private static Arguments a(String name, Function<List<Variable>, Optimizer> make, double quadraticBound,
            double rosenbrockLrScale) {
        return Arguments.of(Named.of(name, make), quadraticBound, rosenbrockLrScale);
    }

    private static double run(Function<List<Variable>, Optimizer> make, Function<Variable, Variable> f, double[] x0,
            int steps, double lrScale) {
        try (Variable p = TestSupport.param(x0); Optimizer opt = make.apply(List.of(p))) {
            for (ParamGroup g : opt.paramGroups()) {
                g.set("lr", g.lr() * lrScale);
            }
            double loss = 0;
            for (int t = 0; t <= steps; t++) {
                opt.zeroGrad();
                try (Scope s = Scope.open()) {
                    Variable l = f.apply(p);
                    loss = l.item();
                    l.backward();
                }
                if (t < steps) {
                    opt.step();
                }
            }
            p.zeroGrad();
            return loss;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void reducesAnIllConditionedQuadratic(Function<List<Variable>, Optimizer> make, double bound, double scale) {
        double start = 0.5 * 1 + 25 * 1;
        double end = run(make, ConvergenceTest::quadratic, new double[] {1, 1}, 500, 1);
        assertTrue(end < bound * start, "loss " + start + " -> " + end);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void reducesRosenbrock(Function<List<Variable>, Optimizer> make, double bound, double scale) {
        double start = 4 + 100 * 0;
        double end = run(make, ConvergenceTest::rosenbrock, new double[] {-1, 1}, 1500, scale);
        assertTrue(end < 0.5 * start, "loss " + start + " -> " + end);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void trainsASmallMlp(Function<List<Variable>, Optimizer> make, double bound, double scale) {
        Generator gen = new Generator(9);
        double[] xs = {0, 0, 0, 1, 1, 0, 1, 1};
        double[] ys = {0, 1, 1, 0};
        try (Variable w1 = Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 2, 8).mulInPlace(0.8));
             Variable b1 = Variable.parameter(Tensor.zeros(DType.FLOAT64, 8));
             Variable w2 = Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 8, 1).mulInPlace(0.5));
             Variable b2 = Variable.parameter(Tensor.zeros(DType.FLOAT64, 1));
             Variable x = Variable.of(Tensor.of(xs, 4, 2));
             Variable y = Variable.of(Tensor.of(ys, 4, 1));
             Optimizer opt = make.apply(List.of(w1, b1, w2, b2))) {
            double first = 0;
            double last = 0;
            for (int t = 0; t < 300; t++) {
                opt.zeroGrad();
                try (Scope s = Scope.open()) {
                    Variable loss = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sub(y).square().mean();
                    last = loss.item();
                    if (t == 0) {
                        first = last;
                    }
                    loss.backward();
                }
                opt.step();
            }
            assertTrue(last < 0.7 * first, "MLP loss " + first + " -> " + last);
            opt.zeroGrad();
        }
    }

    @Test
    void newtonReachesAQuadraticsMinimumInOneStep() {
        // ½xᵀAx − bᵀx with A = [[4, 1], [1, 3]], b = (1, 2): minimum A⁻¹b = (1/11, 7/11).
        Function<Variable, Variable> f = p -> {
            Variable a = Variable.of(Tensor.of(new double[] {4, 1, 1, 3}, 2, 2));
            Variable b = Variable.of(Tensor.of(new double[] {1, 2}));
            return p.mul(a.matmul(p.reshape(2, 1)).reshape(2)).sum().mul(0.5).sub(p.mul(b).sum());
        };
        try (Variable p = TestSupport.param(5, -7); Newton newton = new Newton(p)) {
            newton.step(f);
            double[] v = p.toDoubleArray();
            assertEquals(1.0 / 11, v[0], 1e-12);
            assertEquals(7.0 / 11, v[1], 1e-12);
        }
    }

    @Test
    void lbfgsWithStrongWolfeSolvesRosenbrock() {
        try (Variable p = TestSupport.param(-1.5, 2); LBFGS opt = new LBFGS(List.of(p))) {
            opt.set("strongWolfe", true).set("maxIter", 200.0).set("maxEval", 400.0);
            LossClosure closure = () -> {
                opt.zeroGrad();
                try (Scope s = Scope.open()) {
                    Variable l = rosenbrock(p);
                    double v = l.item();
                    l.backward();
                    return v;
                }
            };
            for (int i = 0; i < 5; i++) {
                opt.step(closure);
            }
            double[] v = p.toDoubleArray();
            assertEquals(1, v[0], 1e-5);
            assertEquals(1, v[1], 1e-5);
            p.zeroGrad();
        }
    }

    @Test
    void lbfgsWithoutLineSearchReducesRosenbrock() {
        try (Variable p = TestSupport.param(-1.5, 2); LBFGS opt = new LBFGS(List.of(p))) {
            opt.set("lr", 0.5);
            LossClosure closure = () -> {
                opt.zeroGrad();
                try (Scope s = Scope.open()) {
                    Variable l = rosenbrock(p);
                    double v = l.item();
                    l.backward();
                    return v;
                }
            };
            double first = opt.step(closure);
            double later = first;
            for (int i = 0; i < 10; i++) {
                later = opt.step(closure);
            }
            assertTrue(later < 0.1 * first, first + " -> " + later);
            p.zeroGrad();
        }
    }

    @Test
    void steepestDescentWithLineSearchesConverges() {
        for (boolean golden : new boolean[] {true, false}) {
            try (Variable p = TestSupport.param(1, 1);
                 LineSearchDescent opt = new LineSearchDescent(List.of(p),
                         golden ? new GoldenSectionSearch(1, 1e-8) : new ArmijoBacktracking())) {
                LossClosure closure = () -> {
                    opt.zeroGrad();
                    try (Scope s = Scope.open()) {
                        Variable l = quadratic(p);
                        double v = l.item();
                        l.backward();
                        return v;
                    }
                };
                double loss = 0;
                for (int i = 0; i < (golden ? 60 : 400); i++) {
                    loss = opt.step(closure);
                }
                assertTrue(loss < 1e-6, (golden ? "golden" : "Armijo") + ": loss " + loss);
                p.zeroGrad();
            }
        }
    }
}
