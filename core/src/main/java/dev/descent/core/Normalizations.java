package dev.descent.core;

/** The batch-normalisation ops of {@link Tensor}: checks, allocation and the backend calls. */
final class Normalizations {
    private Normalizations() {
    }

    /** The channels of x [N, C, ...], after checking x and the per-channel tensors against them. */
    private static int channels(String op, Tensor x, Tensor weight, Tensor bias, Tensor mean, Tensor var) {
        x.checkOpen(op);
        Check.floating(op, x);
        Check.argument(x.rank() >= 2 && x.numel() > 0, op, "expected a non-empty input [N, C, ...], got %s",
                x.shape());
        int c = x.size(1);
        perChannel(op, "weight", x, weight, c);
        perChannel(op, "bias", x, bias, c);
        perChannel(op, "mean", x, mean, c);
        perChannel(op, "var", x, var, c);
        Check.argument(mean != null && var != null, op, "expected mean and var tensors [%d], got %s and %s", c,
                mean, var);
        return c;
    }

    private static void perChannel(String op, String name, Tensor x, Tensor t, int c) {
        if (t == null) {
            return;
        }
        t.checkOpen(op);
        Check.sameDType(op, x, t);
        Check.sameDevice(op, x, t);
        Check.argument(t.rank() == 1 && t.size(0) == c, op, "%s %s does not match the %d channels of input %s: "
                + "expected [%d]", name, t.shape(), c, x.shape(), c);
    }

    static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor mean, Tensor var, double eps,
            boolean batchStats) {
        String op = "batchNorm";
        channels(op, x, weight, bias, mean, var);
        Check.argument(eps >= 0 && Double.isFinite(eps), op, "expected a finite eps >= 0, got %s", eps);
        Check.argument(!batchStats || (mean.isContiguous() && var.isContiguous()), op,
                "mean and var receive the batch's statistics: expected contiguous tensors");
        Tensor out = Tensor.empty(x.device(), x.dtype(), x.shape().dims());
        x.backend().batchNorm(x.view(), view(weight), view(bias), mean.view(), var.view(), eps, batchStats,
                out.view());
        return out;
    }

    static BatchNormGradients batchNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor mean, Tensor var,
            double eps, boolean batchStats, boolean input, boolean weightGrad, boolean biasGrad) {
        String op = "batchNormBackward";
        int c = channels(op, x, weight, null, mean, var);
        gradOut.checkOpen(op);
        Check.sameDType(op, x, gradOut);
        Check.sameDevice(op, x, gradOut);
        Check.argument(gradOut.shape().equals(x.shape()), op, "the output gradient %s must have the input's shape %s",
                gradOut.shape(), x.shape());
        Tensor gi = input ? Tensor.empty(x.device(), x.dtype(), x.shape().dims()) : null;
        Tensor gw = weightGrad ? Tensor.empty(x.device(), x.dtype(), c) : null;
        Tensor gb = biasGrad ? Tensor.empty(x.device(), x.dtype(), c) : null;
        if (input || weightGrad || biasGrad) {
            x.backend().batchNormBackward(gradOut.view(), x.view(), view(weight), mean.view(), var.view(), eps,
                    batchStats, view(gi), view(gw), view(gb));
        }
        return new BatchNormGradients(gi, gw, gb);
    }

    private static dev.descent.core.spi.StridedView view(Tensor t) {
        return t == null ? null : t.view();
    }
}
