package dev.descent.train.charts;

import dev.descent.train.AtomicFiles;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.MetricsHistory;
import dev.descent.train.metrics.StepRecord;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * trainer, not drawn). Files are replaced atomically.
 */
public final class LearningCurveCharts {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;
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
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (EpochRecord r : epochs) {
            double v = value.applyAsDouble(r);
            if (Double.isFinite(v)) {
                xs.add((double) r.epoch());
                ys.add(v);
            }
        }
        if (!xs.isEmpty()) {
            XYSeries s = c.addSeries(name, xs, ys);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
    }

    /** A per-step curve, or its moving average ({@code smooth}); {@code light} draws it pale, under an average. */
    private static void addStepSeries(XYChart c, String name, List<StepRecord> steps, ToDoubleFunction<StepRecord> value,
            boolean smooth, boolean light) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        double average = Double.NaN;
        for (StepRecord r : steps) {
            double v = value.applyAsDouble(r);
            if (!Double.isFinite(v)) {
                continue;
            }
            average = Double.isNaN(average) ? v : SMOOTHING * average + (1 - SMOOTHING) * v;
            xs.add((double) r.step());
            ys.add(smooth ? average : v);
        }
        if (xs.size() >= 1 && !(smooth && xs.size() < 2)) {
            XYSeries s = c.addSeries(name, xs, ys);
            s.setMarker(xs.size() == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            if (light) {
                s.setLineColor(new Color(0x9ecae1));
            }
        }
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
