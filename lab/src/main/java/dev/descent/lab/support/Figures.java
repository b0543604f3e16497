package dev.descent.lab.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Line charts with XChart, saved as PNG and SVG side by side. */
public final class Figures {
    private Figures() {
    }

    public static XYChart chart(String title, String xLabel, String yLabel) {
        XYChart c = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel)
                .build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotGridLinesVisible(true);
        return c;
    }

    /** A line with small markers (sequences x_k). */
    public static XYSeries line(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        return s;
    }

    /** A line without markers (long curves). */
    public static XYSeries curve(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /** 0, 1, ..., n−1. */
    public static double[] steps(int n) {
        double[] k = new double[n];
        for (int i = 0; i < n; i++) {
            k[i] = i;
        }
        return k;
    }

    /**
     * log10 of values floored at {@code floor} (a loss of exactly 0 cannot be drawn), for charts
     * over many decades: XChart's log axis labels every decade, unreadable beyond a dozen.
     */
    public static double[] log10(double[] v, double floor) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.log10(Math.max(v[i], floor));
        }
        return out;
    }

    /** Writes {@code <name>.png} and {@code <name>.svg}; returns both paths. */
    public static List<Path> save(XYChart c, Path dir, String name) throws IOException {
        Path base = dir.resolve(name);
        BitmapEncoder.saveBitmap(c, base.toString(), BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(c, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        List<Path> out = new ArrayList<>();
        out.add(dir.resolve(name + ".png"));
        out.add(dir.resolve(name + ".svg"));
        return out;
    }
}
