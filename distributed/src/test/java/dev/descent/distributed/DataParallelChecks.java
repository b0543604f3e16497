package dev.descent.distributed;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One rank of {@link DataParallelTest}: a small float64 network whose batch is split unevenly
 * over the ranks; after {@link DataParallel#backward} every parameter's gradient must be the
 * full batch's, which each rank also computes alone (within 1e-12 relative: only the order of
 * the sums differs), and the loss the full batch's. Buckets of 200 bytes make one collective per
 * parameter or two; one parameter is unused (its gradient must be zero), one is used twice.
 * Prints "agreed" and exits 0, or the first difference and exits 1.
 */
public final class DataParallelChecks {
    private static final int BATCH = 23;

    private DataParallelChecks() {
    }

    public static void main(String[] args) {
        Rendezvous r = Rendezvous.fromEnvironment();
        try (ProcessGroup g = ProcessGroups.init("gloo", r)) {
            int n = g.worldSize();
            Generator gen = new Generator(5);
            Tensor x = Tensor.randn(gen, DType.FLOAT64, BATCH, 6);
            Tensor y = Tensor.randn(gen, DType.FLOAT64, BATCH, 2);
            List<Variable> params = model(new Generator(r.rank() + 100));   // a different start on each rank
            try (DataParallel dp = new DataParallel(g, params, 200)) {
                dp.broadcastFromRank0(params.stream().map(Variable::data).toList());
                List<Variable> reference = model(new Generator(100));   // rank 0's start
                for (int p = 0; p < params.size(); p++) {
                    same("broadcast parameter " + p, reference.get(p).data().toDoubleArray(),
                            params.get(p).data().toDoubleArray(), 0);
                }
                for (int step = 0; step < 3; step++) {
                    // rank r takes rows [start, end): shares of 23 over n ranks differ by one
                    int start = r.rank() * BATCH / n;
                    int end = (r.rank() + 1) * BATCH / n;
                    Variable local = loss(params, x.narrow(0, start, end - start), y.narrow(0, start, end - start));
                    double w = (end - start) * (double) n / BATCH;
                    Tensor batchLoss = dp.backward(local, w);
                    Variable full = loss(reference, x, y);
                    double fullLoss = full.item();
                    full.backward();
                    same("loss, step " + step, new double[] {fullLoss}, new double[] {batchLoss.item()}, 1e-12);
                    for (int p = 0; p < params.size(); p++) {
                        Variable rg = reference.get(p).grad();   // null for the unused one: zero
                        double[] expected = rg == null ? new double[(int) params.get(p).numel()] : rg.toDoubleArray();
                        same("gradient of parameter " + p + ", step " + step, expected,
                                params.get(p).grad().toDoubleArray(), 1e-12);
                    }
                    for (int p = 0; p < params.size() - 1; p++) {
                        // the same SGD step on both, so the next step starts from new values
                        params.get(p).data().addScaledInPlace(params.get(p).grad().data(), -0.1);
                        reference.get(p).data().addScaledInPlace(reference.get(p).grad().data(), -0.1);
                    }
                    params.forEach(Variable::zeroGrad);
                    reference.forEach(Variable::zeroGrad);
                }
                System.out.println("agreed, " + dp.bucketCount() + " buckets");
            }
        } catch (AssertionError e) {
            System.out.println("DIFFERENT " + e.getMessage());
            System.exit(1);
        }
    }

    /** w1 [6, 5], b1 [5], w2 [5, 2], unused [3]: the unused one never gets a gradient. */
    static List<Variable> model(Generator gen) {
        List<Variable> ps = new ArrayList<>();
        ps.add(Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 6, 5)));
        ps.add(Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 5)));
        ps.add(Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 5, 2)));
        ps.add(Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 3)));
        return ps;
    }

    /** mean((tanh(x w1 + b1) w2 + 0.1 b1[0:2] - y)²): b1 is used twice. */
    static Variable loss(List<Variable> ps, Tensor x, Tensor y) {
        Variable h = Variable.of(x.copy()).matmul(ps.get(0)).add(ps.get(1)).tanh();
        Variable out = h.matmul(ps.get(2)).add(ps.get(1).narrow(0, 0, 2).mul(0.1));
        return out.sub(Variable.of(y.copy())).square().mean();
    }

    private static void same(String what, double[] expected, double[] got, double rel) {
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - got[i]) > rel * scale) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", expected " + expected[i]);
            }
        }
    }
}
