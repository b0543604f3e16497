package dev.descent.lab.support;

import dev.descent.core.Generator;

/**
 * A built-in classification set: K interleaved spirals in the plane (the classic toy problem
 * that a linear model cannot solve), {@code perClass} points each. Point i of class j sits at
 * radius r = i/(perClass − 1) and angle t = 4j + 4r + noise·N(0, 1).
 */
public record Spirals(double[] features, int[] labels, int classes) {

    public static Spirals generate(long seed, int classes, int perClass, double noise) {
        Generator g = new Generator(seed);
        int n = classes * perClass;
        double[] f = new double[2 * n];
        int[] y = new int[n];
        for (int j = 0; j < classes; j++) {
            for (int i = 0; i < perClass; i++) {
                int k = j * perClass + i;
                double r = perClass == 1 ? 1 : (double) i / (perClass - 1);
                double t = 4.0 * j + 4 * r + noise * g.nextGaussian();
                f[2 * k] = r * Math.sin(t);
                f[2 * k + 1] = r * Math.cos(t);
                y[k] = j;
            }
        }
        return new Spirals(f, y, classes);
    }

    public int size() {
        return labels.length;
    }
}
