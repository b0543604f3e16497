package dev.descent.train.charts;

import dev.descent.train.AtomicFiles;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.MetricsHistory;
import dev.descent.train.metrics.StepRecord;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts to look at after a run (seed 001: learning curves and the gradient norm over
 * time; seed 000: check the loss curve), each as PNG and SVG, drawn with XChart:
 *
 * <ul>
 *   <li>{@code loss}: training and test loss per epoch;</li>
 *   <li>{@code accuracy}: training and test accuracy per epoch (classification only);</li>
 *   <li>{@code step-loss}: the loss of every step with its exponential moving average
 *       (log scale when every loss is positive);</li>
 *   <li>{@code grad-norm}: the global gradient norm of every step with its moving average (log scale);</li>
 *   <li>{@code learning-rate}: the learning rate of every step.</li>
 * </ul>
 *
 * Values that are not finite are left out of a curve (a divergent step is reported by the
 * trainer, not drawn). A curve of more than {@link #MAX_POINTS} points is drawn from the lowest
 * and the highest point of each of {@code MAX_POINTS / 2} equal runs of its points (the moving
 * average is computed over every point first): at 800 pixels wide nothing visible is lost, and
 * a run of 100,000 steps draws as fast and in as little memory as one of 2,000. Files are
 * replaced atomically.
 */
public final class LearningCurveCharts {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;
    /** The most points a curve is drawn with; longer ones are reduced to each bucket's extremes. */
    public static final int MAX_POINTS = 2000;
    /** Above this many points a per-epoch curve is drawn without markers. */
    private static final int MAX_MARKERS = 200;
    /** The moving average's weight on the past in the step-loss chart. */
    private static final double SMOOTHING = 0.9;

    private LearningCurveCharts() {
    }

    /** Writes every chart that has data into {@code dir}; returns the files written. */
    public static List<Path> write(MetricsHistory history, Path dir, String title) throws IOException {
        List<Path> written = new ArrayList<>();
        for (XYChart chart : charts(history, title)) {
            String base = fileName(chart);
            written.add(writePng(chart, dir.resolve(base + ".png")));
            written.add(writeSvg(chart, dir.resolve(base + ".svg")));
        }
        return written;
    }

    /** The charts for {@code history}, each titled; charts without any finite point are left out. */
    public static List<XYChart> charts(MetricsHistory history, String title) {
        List<XYChart> out = new ArrayList<>();
        List<EpochRecord> epochs = history.epochs();
        List<StepRecord> steps = history.steps();
        String prefix = title == null || title.isEmpty() ? "" : title + ": ";

        XYChart loss = chart(prefix + "loss per epoch", "epoch", "loss");
        addEpochSeries(loss, "training", epochs, EpochRecord::trainLoss);
        addEpochSeries(loss, "test", epochs, EpochRecord::testLoss);
        keep(out, loss);

        XYChart accuracy = chart(prefix + "accuracy per epoch", "epoch", "accuracy");
        addEpochSeries(accuracy, "training", epochs, EpochRecord::trainAccuracy);
        addEpochSeries(accuracy, "test", epochs, EpochRecord::testAccuracy);
        accuracy.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        keep(out, accuracy);

        XYChart stepLoss = chart(prefix + "loss per step", "step", "loss");
        addStepSeries(stepLoss, "batch loss", steps, StepRecord::loss, false, true);
        addStepSeries(stepLoss, "moving average", steps, StepRecord::loss, true, false);
        logIfPositive(stepLoss, steps, StepRecord::loss);
        keep(out, stepLoss);

        XYChart grad = chart(prefix + "gradient norm per step", "step", "global gradient 2-norm");
        addStepSeries(grad, "gradient norm", steps, StepRecord::gradNorm, false, true);
        addStepSeries(grad, "moving average", steps, StepRecord::gradNorm, true, false);
        logIfPositive(grad, steps, StepRecord::gradNorm);
        keep(out, grad);

        XYChart lr = chart(prefix + "learning rate per step", "step", "learning rate");
        addStepSeries(lr, "learning rate", steps, StepRecord::lr, false, false);
        keep(out, lr);
        return out;
    }

    private static void keep(List<XYChart> out, XYChart chart) {
        if (!chart.getSeriesMap().isEmpty()) {
            out.add(chart);
        }
    }

    /** The file name of a chart, from its title's last part ("loss per step" gives "step-loss"). */
    static String fileName(XYChart chart) {
        String t = chart.getTitle();
        t = t.substring(t.lastIndexOf(": ") + 1).trim();
        return switch (t) {
            case "loss per epoch" -> "loss";
            case "accuracy per epoch" -> "accuracy";
            case "loss per step" -> "step-loss";
            case "gradient norm per step" -> "grad-norm";
            case "learning rate per step" -> "learning-rate";
            default -> t.replaceAll("[^A-Za-z0-9]+", "-");
        };
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setMarkerSize(6);
        c.getStyler().setAntiAlias(true);
        // Epochs and steps are whole numbers; without grouping and with wider spacing, thousands of
        // steps keep their tick labels apart.
        c.getStyler().setXAxisDecimalPattern("#");
        c.getStyler().setXAxisTickMarkSpacingHint(90);
        return c;
    }

    private static void addEpochSeries(XYChart c, String name, List<EpochRecord> epochs,
            ToDoubleFunction<EpochRecord> value) {
        Curve curve = new Curve(epochs.size());
        for (EpochRecord r : epochs) {
            double v = value.applyAsDouble(r);
            if (Double.isFinite(v)) {
                curve.add(r.epoch(), v);
            }
        }
        if (curve.size > 0) {
            XYSeries s = curve.addTo(c, name);
            s.setMarker(curve.size <= MAX_MARKERS ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
    }

    /** A per-step curve, or its moving average ({@code smooth}); {@code light} draws it pale, under an average. */
    private static void addStepSeries(XYChart c, String name, List<StepRecord> steps, ToDoubleFunction<StepRecord> value,
            boolean smooth, boolean light) {
        Curve curve = new Curve(steps.size());
        double average = Double.NaN;
        for (StepRecord r : steps) {
            double v = value.applyAsDouble(r);
            if (!Double.isFinite(v)) {
                continue;
            }
            average = Double.isNaN(average) ? v : SMOOTHING * average + (1 - SMOOTHING) * v;
            curve.add(r.step(), smooth ? average : v);
        }
        if (curve.size >= 1 && !(smooth && curve.size < 2)) {
            XYSeries s = curve.addTo(c, name);
            s.setMarker(curve.size == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            if (light) {
                s.setLineColor(new Color(0x9ecae1));
            }
        }
    }

    /** The points of one curve, in order, as primitive arrays. */
    private static final class Curve {
        double[] xs;
        double[] ys;
        int size;

        Curve(int capacity) {
            xs = new double[Math.max(capacity, 1)];
            ys = new double[Math.max(capacity, 1)];
        }

        void add(double x, double y) {
            xs[size] = x;
            ys[size++] = y;
        }

        XYSeries addTo(XYChart c, String name) {
            double[][] p = downsample(Arrays.copyOf(xs, size), Arrays.copyOf(ys, size), MAX_POINTS);
            return c.addSeries(name, p[0], p[1]);
        }
    }

    /**
     * The curve {@code (xs, ys)} with at most {@code maxPoints} points: unchanged when it has no
     * more, else split into {@code maxPoints / 2} runs of consecutive points of (nearly) equal
     * length, each drawn by its lowest and highest point in the order they occur (the min/max
     * reduction of time-series plotting: spikes and the envelope survive).
     */
    static double[][] downsample(double[] xs, double[] ys, int maxPoints) {
        int n = xs.length;
        if (n <= maxPoints) {
            return new double[][] {xs, ys};
        }
        int buckets = maxPoints / 2;
        double[] ox = new double[2 * buckets];
        double[] oy = new double[2 * buckets];
        int k = 0;
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) b * n / buckets);
            int to = (int) ((long) (b + 1) * n / buckets);
            int lo = from;
            int hi = from;
            for (int i = from + 1; i < to; i++) {
                if (ys[i] < ys[lo]) {
                    lo = i;
                }
                if (ys[i] > ys[hi]) {
                    hi = i;
                }
            }
            int first = Math.min(lo, hi);
            int second = Math.max(lo, hi);
            ox[k] = xs[first];
            oy[k++] = ys[first];
            if (second != first) {
                ox[k] = xs[second];
                oy[k++] = ys[second];
            }
        }
        return new double[][] {Arrays.copyOf(ox, k), Arrays.copyOf(oy, k)};
    }

    private static void logIfPositive(XYChart c, List<StepRecord> steps, ToDoubleFunction<StepRecord> value) {
        boolean any = false;
        for (StepRecord r : steps) {
            double v = value.applyAsDouble(r);
            if (Double.isFinite(v)) {
                if (v <= 0) {
                    return;
                }
                any = true;
            }
        }
        c.getStyler().setYAxisLogarithmic(any);
        c.getStyler().setYAxisLogarithmicDecadeOnly(false);
    }

    /** Writes {@code chart} as a PNG file, atomically. */
    public static Path writePng(XYChart chart, Path file) throws IOException {
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
        return file;
    }

    /** Writes {@code chart} as an SVG file, atomically. */
    public static Path writeSvg(XYChart chart, Path file) throws IOException {
        AtomicFiles.write(file, out -> VectorGraphicsEncoder.saveVectorGraphic(chart, out,
                VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
        return file;
    }
}
