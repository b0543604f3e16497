package dev.descent.lab.support;

import java.util.ArrayList;
import java.util.List;

/**
 * The points a run visited and the loss at each: {@code points.get(k)} is θ_k (θ_0 the
 * start) and {@code losses.get(k)} = L(θ_k). A run stopped by divergence has {@code diverged}
 * set at the step where it was detected.
 */
public final class Trajectory {
    private final List<double[]> points = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private int divergedAt = -1;

    public void add(double[] point, double loss) {
        points.add(point.clone());
        losses.add(loss);
    }

    public void markDiverged() {
        divergedAt = losses.size() - 1;
    }

    public boolean diverged() {
        return divergedAt >= 0;
    }

    /** The step at which divergence was detected, or -1. */
    public int divergedAt() {
        return divergedAt;
    }

    public int size() {
        return points.size();
    }

    public double[] point(int k) {
        return points.get(k).clone();
    }

    public double loss(int k) {
        return losses.get(k);
    }

    public double[] last() {
        return point(size() - 1);
    }

    public double lastLoss() {
        return losses.get(size() - 1);
    }

    /** Coordinate {@code i} of every point. */
    public double[] coordinate(int i) {
        double[] out = new double[points.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = points.get(k)[i];
        }
        return out;
    }

    public double[] losses() {
        return losses.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The first step k with L(θ_k) <= tolerance, or -1. */
    public int firstBelow(double tolerance) {
        for (int k = 0; k < losses.size(); k++) {
            if (losses.get(k) <= tolerance) {
                return k;
            }
        }
        return -1;
    }
}
