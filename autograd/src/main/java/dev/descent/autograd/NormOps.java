package dev.descent.autograd;

import dev.descent.core.BatchNormGradients;
import dev.descent.core.Check;
import dev.descent.core.Tensor;

/**
 * Batch normalisation as one op, PyTorch's {@code F.batch_norm}: the forward pass is one backend
 * call ({@link Tensor#batchNorm}), and so is the backward pass ({@link Tensor#batchNormBackward},
 * all three gradients from one reduction over the batch, computed when the first is asked for).
 * A backward pass that records (create graph, for second derivatives) uses the same equations
 * written with differentiable ops instead, including the statistics' dependence on x:
 *
 * <pre>
 * x̂ = (x − μ)/√(σ² + ε)      dβ = Σ g      dγ = Σ g·x̂
 * dx = γ/√(σ² + ε) · (g − dβ/m − x̂·dγ/m)    (batch statistics; γ/√(σ² + ε)·g with running ones)
 * </pre>
 *
 * with sums and m over every axis but the channels' (axis 1).
 */
final class NormOps {
    private NormOps() {
    }

    /**
     * @param runningMean updated in place in training ({@code (1 − momentum)·r + momentum·μ}); read in evaluation; may be null in training
     * @param runningVar the same, with the unbiased batch variance ({@code σ²·m/(m − 1)})
     */
    static Variable batchNorm(Variable x, Variable weight, Variable bias, Tensor runningMean, Tensor runningVar,
            boolean training, double momentum, double eps) {
        String op = "batchNorm";
        Tensor in = x.use(op);
        Check.argument(in.rank() >= 2, op, "expected input [N, C, ...], got %s", in.shape());
        Check.argument(weight != null || bias == null, op, "expected a weight with the bias (both or neither)");
        int c = in.size(1);
        Tensor mean;
        Tensor var;
        if (training) {
            mean = Tensor.empty(in.device(), in.dtype(), c);
            var = Tensor.empty(in.device(), in.dtype(), c);
        } else {
            Check.argument(runningMean != null && runningVar != null, op,
                    "evaluation needs the running mean and variance, got null");
            mean = runningMean.copy();
            var = runningVar.copy();
        }
        Tensor out;
        try {
            out = Tensor.batchNorm(in, weight == null ? null : weight.use(op), bias == null ? null : bias.use(op), mean,
                    var, eps, training);
        } catch (RuntimeException e) {
            mean.close();
            var.close();
            throw e;
        }
        if (training && runningMean != null) {
            long m = in.numel() / c;
            try (NoGrad off = NoGrad.open()) {
                runningMean.mulInPlace(1 - momentum).addScaledInPlace(mean, momentum);
                runningVar.mulInPlace(1 - momentum).addScaledInPlace(var, momentum * m / Math.max(1, m - 1.0));
            }
        }
        Variable[] inputs = weight == null ? new Variable[] {x}
                : bias == null ? new Variable[] {x, weight} : new Variable[] {x, weight, bias};
        Fused fused = new Fused(mean, var, eps, training);
        return Node.recordOwning(op, out, new Tensor[] {mean, var}, (n, g, i) -> GradMode.isEnabled()
                ? recorded(n.saved(x), weight == null ? null : n.saved(weight), g, i, mean, var, eps, training)
                : fused.gradient(n, x, weight, bias, g, i), inputs);
    }

    /** The gradients from one backend call, kept while the backward pass asks for them one input at a time. */
    private static final class Fused {
        private final Tensor mean;
        private final Tensor var;
        private final double eps;
        private final boolean training;
        private Variable seenG;
        private BatchNormGradients grads;

        Fused(Tensor mean, Tensor var, double eps, boolean training) {
            this.mean = mean;
            this.var = var;
            this.eps = eps;
            this.training = training;
        }

        Variable gradient(Node n, Variable x, Variable weight, Variable bias, Variable g, int i) {
            if (seenG != g) {
                // the pass's scope, open for this node's inputs, frees all three with the rest
                grads = Tensor.batchNormBackward(g.use("batchNorm"), n.saved(x).data(),
                        weight == null ? null : n.saved(weight).data(), mean, var, eps, training,
                        x.requiresGrad(), weight != null && weight.requiresGrad(), bias != null && bias.requiresGrad());
                seenG = g;
            }
            return Variable.constant(i == 0 ? grads.input() : i == 1 ? grads.weight() : grads.bias());
        }
    }

    /** The gradient of input i written with recorded ops, for a backward pass that creates a graph. */
    private static Variable recorded(Variable x, Variable weight, Variable g, int i, Tensor mean, Tensor var,
            double eps, boolean training) {
        int rank = x.rank();
        int[] axes = new int[rank - 1];
        int[] perChannel = new int[rank];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[1] = x.size(1);
        for (int d = 0, k = 0; d < rank; d++) {
            if (d != 1) {
                axes[k++] = d;
            }
        }
        Variable mu;
        Variable invStd;
        if (training) {
            mu = x.mean(axes, true);
            invStd = x.sub(mu).square().mean(axes, true).add(eps).rsqrt();
        } else {
            mu = Variable.constant(mean.reshape(perChannel));
            try (Tensor shifted = var.add(eps); Tensor r = shifted.rsqrt()) {
                invStd = Variable.constant(r.reshape(perChannel));
            }
        }
        Variable xhat = x.sub(mu).mul(invStd);
        if (i == 2) {
            return g.sum(axes, false);
        }
        if (i == 1) {
            return g.mul(xhat).sum(axes, false);
        }
        Variable scale = weight == null ? invStd : invStd.mul(weight.reshape(perChannel));
        if (!training) {
            return g.mul(scale);
        }
        Variable centred = g.sub(g.mean(axes, true)).sub(xhat.mul(g.mul(xhat).mean(axes, true)));
        return centred.mul(scale);
    }
}
