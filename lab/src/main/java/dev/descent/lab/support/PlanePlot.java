package dev.descent.lab.support;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.Processors;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A plot over a rectangle of the (x, y) plane: a raster background (a loss surface as a heat
 * map, or the density of a cloud of points), with paths and marked points over it. XChart has no
 * heat map with overlays, so this draws with Graphics2D: into an image for PNG and into
 * VectorGraphics2D for SVG (the raster is embedded there as an image, the overlays as vectors).
 * Several plots can share one figure ({@link #saveGrid}).
 */
public final class PlanePlot {
    /** How a marked point is drawn. */
    public enum Mark { CIRCLE, CROSS, SQUARE, DIAMOND }

    private record Overlay(double[] xs, double[] ys, Color color, String label, boolean line, Mark mark, double size) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final double x0;
    private final double x1;
    private final double y0;
    private final double y1;
    private BufferedImage raster;
    private final List<Overlay> overlays = new ArrayList<>();

    public PlanePlot(String title, String xLabel, String yLabel, double x0, double x1, double y0, double y1) {
        if (!(x1 > x0) || !(y1 > y0)) {
            throw new IllegalArgumentException("PlanePlot: empty range [" + x0 + ", " + x1 + "] x [" + y0 + ", " + y1
                    + "]");
        }
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.x0 = x0;
        this.x1 = x1;
        this.y0 = y0;
        this.y1 = y1;
    }

    /**
     * A heat map of {@code z[j][i]} at x = x0 + i·(x1 − x0)/(nx − 1), y = y0 + j·(y1 − y0)/(ny − 1);
     * with {@code log}, of log10(z − min z + 1e-12 · range) so that deep minima stay visible.
     */
    public PlanePlot heat(double[][] z, boolean log) {
        return heat(z, log, 0);
    }

    /** As {@link #heat(double[][], boolean)}, with the colours in {@code bands} flat bands (a filled contour plot) when > 0. */
    public PlanePlot heat(double[][] z, boolean log, int bands) {
        int ny = z.length;
        int nx = z[0].length;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : z) {
            for (double v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double[][] t = new double[ny][nx];
        double tlo = Double.POSITIVE_INFINITY;
        double thi = Double.NEGATIVE_INFINITY;
        double eps = Math.max(1e-12, 1e-6 * (hi - lo));
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) {
                t[j][i] = log ? Math.log10(z[j][i] - lo + eps) : z[j][i];
                tlo = Math.min(tlo, t[j][i]);
                thi = Math.max(thi, t[j][i]);
            }
        }
        raster = new BufferedImage(nx, ny, BufferedImage.TYPE_INT_RGB);
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) {
                double u = thi > tlo ? (t[j][i] - tlo) / (thi - tlo) : 0;
                if (bands > 0) {
                    u = Math.min(bands - 1, Math.floor(u * bands)) / (bands - 1);
                }
                raster.setRGB(i, ny - 1 - j, colour(u).getRGB());
            }
        }
        return this;
    }

    /** The density of a cloud of points on a {@code pixels}² grid: white where none, darker where many. */
    public PlanePlot density(double[] xs, double[] ys, int pixels) {
        int[][] count = new int[pixels][pixels];
        int max = 0;
        for (int k = 0; k < xs.length; k++) {
            int i = (int) Math.floor((xs[k] - x0) / (x1 - x0) * pixels);
            int j = (int) Math.floor((ys[k] - y0) / (y1 - y0) * pixels);
            if (i >= 0 && i < pixels && j >= 0 && j < pixels) {
                max = Math.max(max, ++count[j][i]);
            }
        }
        raster = new BufferedImage(pixels, pixels, BufferedImage.TYPE_INT_RGB);
        for (int j = 0; j < pixels; j++) {
            for (int i = 0; i < pixels; i++) {
                int c = count[j][i];
                Color col = c == 0 ? Color.WHITE
                        : blend(new Color(150, 180, 230), new Color(10, 30, 120), Math.log1p(c) / Math.log1p(max));
                raster.setRGB(i, pixels - 1 - j, col.getRGB());
            }
        }
        return this;
    }

    public PlanePlot path(double[] xs, double[] ys, Color color, String label) {
        overlays.add(new Overlay(xs.clone(), ys.clone(), color, label, true, Mark.CIRCLE, 4));
        return this;
    }

    public PlanePlot points(double[] xs, double[] ys, Color color, String label, Mark mark, double size) {
        overlays.add(new Overlay(xs.clone(), ys.clone(), color, label, false, mark, size));
        return this;
    }

    public PlanePlot mark(double x, double y, Color color, String label, Mark mark) {
        return points(new double[] {x}, new double[] {y}, color, label, mark, 12);
    }

    /** Writes {@code <name>.png} and {@code <name>.svg}. */
    public List<Path> save(Path dir, String name) throws IOException {
        return saveGrid(List.of(this), 1, 760, 640, dir, name);
    }

    /** Several plots in a grid of {@code columns}, each {@code w × h}, as one PNG and one SVG. */
    public static List<Path> saveGrid(List<PlanePlot> plots, int columns, int w, int h, Path dir, String name)
            throws IOException {
        int rows = (plots.size() + columns - 1) / columns;
        int width = columns * w;
        int height = rows * h;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        drawAll(g, plots, columns, w, h, width, height);
        g.dispose();
        Path png = dir.resolve(name + ".png");
        ImageIO.write(img, "png", png.toFile());
        VectorGraphics2D vg = new VectorGraphics2D();
        drawAll(vg, plots, columns, w, h, width, height);
        Document doc = Processors.get("svg").getDocument(vg.getCommands(), new PageSize(0, 0, width, height));
        Path svg = dir.resolve(name + ".svg");
        try (OutputStream out = Files.newOutputStream(svg)) {
            doc.writeTo(out);
        }
        return List.of(png, svg);
    }

    private static void drawAll(Graphics2D g, List<PlanePlot> plots, int columns, int w, int h, int width,
            int height) {
        g.setColor(Color.WHITE);
        g.fill(new Rectangle2D.Double(0, 0, width, height));
        for (int k = 0; k < plots.size(); k++) {
            plots.get(k).draw(g, (k % columns) * w, (k / columns) * h, w, h);
        }
    }

    private void draw(Graphics2D g, int ox, int oy, int w, int h) {
        int left = 70;
        int right = 20;
        int top = 34;
        int bottom = 50;
        double px = ox + left;
        double py = oy + top;
        double pw = w - left - right;
        double ph = h - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(Color.BLACK);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, (float) (ox + (w - fm.stringWidth(title)) / 2.0), (float) (oy + 22));
        if (raster != null) {
            g.drawImage(raster, (int) px, (int) py, (int) pw, (int) ph, null);
        }
        java.awt.Shape oldClip = g.getClip();
        g.clip(new Rectangle2D.Double(px, py, pw, ph));
        for (Overlay o : overlays) {
            drawOverlay(g, o, px, py, pw, ph);
        }
        g.setClip(oldClip);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.draw(new Rectangle2D.Double(px, py, pw, ph));
        axes(g, px, py, pw, ph, ox, oy, h);
        legend(g, px, py, pw);
    }

    private void drawOverlay(Graphics2D g, Overlay o, double px, double py, double pw, double ph) {
        g.setColor(o.color());
        if (o.line() && o.xs().length > 1) {
            Path2D.Double p = new Path2D.Double();
            for (int k = 0; k < o.xs().length; k++) {
                double sx = sx(o.xs()[k], px, pw);
                double sy = sy(o.ys()[k], py, ph);
                if (k == 0) {
                    p.moveTo(sx, sy);
                } else {
                    p.lineTo(sx, sy);
                }
            }
            g.setStroke(new BasicStroke(2f));
            g.draw(p);
        }
        if (!o.line() || o.xs().length <= 60) {
            for (int k = 0; k < o.xs().length; k++) {
                drawMark(g, o.mark(), sx(o.xs()[k], px, pw), sy(o.ys()[k], py, ph), o.line() ? 4 : o.size(), o.color());
            }
        }
    }

    private static void drawMark(Graphics2D g, Mark mark, double x, double y, double s, Color c) {
        g.setStroke(new BasicStroke(2f));
        switch (mark) {
            case CIRCLE -> {
                g.setColor(c);
                g.fill(new Ellipse2D.Double(x - s / 2, y - s / 2, s, s));
                if (s >= 8) {
                    g.setColor(Color.BLACK);
                    g.setStroke(new BasicStroke(1f));
                    g.draw(new Ellipse2D.Double(x - s / 2, y - s / 2, s, s));
                }
            }
            case SQUARE -> {
                g.setColor(c);
                g.fill(new Rectangle2D.Double(x - s / 2, y - s / 2, s, s));
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(1f));
                g.draw(new Rectangle2D.Double(x - s / 2, y - s / 2, s, s));
            }
            case CROSS -> {
                g.setColor(c);
                g.setStroke(new BasicStroke(3f));
                g.draw(new Line2D.Double(x - s / 2, y - s / 2, x + s / 2, y + s / 2));
                g.draw(new Line2D.Double(x - s / 2, y + s / 2, x + s / 2, y - s / 2));
            }
            case DIAMOND -> {
                Path2D.Double d = new Path2D.Double();
                d.moveTo(x, y - s / 1.6);
                d.lineTo(x + s / 1.6, y);
                d.lineTo(x, y + s / 1.6);
                d.lineTo(x - s / 1.6, y);
                d.closePath();
                g.setColor(c);
                g.fill(d);
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(1f));
                g.draw(d);
            }
        }
    }

    private void axes(Graphics2D g, double px, double py, double pw, double ph, int ox, int oy, int h) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double t : ticks(x0, x1)) {
            double sx = sx(t, px, pw);
            g.draw(new Line2D.Double(sx, py + ph, sx, py + ph + 5));
            String s = tick(t);
            g.drawString(s, (float) (sx - fm.stringWidth(s) / 2.0), (float) (py + ph + 18));
        }
        for (double t : ticks(y0, y1)) {
            double sy = sy(t, py, ph);
            g.draw(new Line2D.Double(px - 5, sy, px, sy));
            String s = tick(t);
            g.drawString(s, (float) (px - 8 - fm.stringWidth(s)), (float) (sy + 4));
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        fm = g.getFontMetrics();
        g.drawString(xLabel, (float) (px + (pw - fm.stringWidth(xLabel)) / 2), (float) (oy + h - 12));
        java.awt.geom.AffineTransform old = g.getTransform();
        g.translate(ox + 18, py + (ph + fm.stringWidth(yLabel)) / 2);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, 0f, 0f);
        g.setTransform(old);
    }

    private void legend(Graphics2D g, double px, double py, double pw) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<Overlay> labelled = overlays.stream()
                .filter(o -> o.label() != null && !o.label().isEmpty() && seen.add(o.label())).toList();
        if (labelled.isEmpty()) {
            return;
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int width = labelled.stream().mapToInt(o -> fm.stringWidth(o.label())).max().orElse(0) + 34;
        double lx = px + pw - width - 6;
        double ly = py + 6;
        g.setColor(new Color(255, 255, 255, 220));
        g.fill(new Rectangle2D.Double(lx, ly, width, labelled.size() * 17 + 6));
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.draw(new Rectangle2D.Double(lx, ly, width, labelled.size() * 17 + 6));
        for (int k = 0; k < labelled.size(); k++) {
            Overlay o = labelled.get(k);
            double cy = ly + 12 + k * 17;
            drawMark(g, o.mark(), lx + 12, cy, o.line() ? 6 : 9, o.color());
            g.setColor(Color.BLACK);
            g.drawString(o.label(), (float) (lx + 26), (float) (cy + 4));
        }
    }

    private double sx(double x, double px, double pw) {
        return px + (x - x0) / (x1 - x0) * pw;
    }

    private double sy(double y, double py, double ph) {
        return py + ph - (y - y0) / (y1 - y0) * ph;
    }

    static double[] ticks(double lo, double hi) {
        double raw = (hi - lo) / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        List<Double> out = new ArrayList<>();
        for (double t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
            out.add(Math.abs(t) < 1e-12 * step ? 0 : t);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String tick(double t) {
        return t == Math.rint(t) && Math.abs(t) < 1e6 ? Long.toString((long) t)
                : new java.math.BigDecimal(t, new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** An approximation of viridis: dark blue (low) to yellow (high). */
    static Color colour(double u) {
        int[][] stops = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        double s = Math.max(0, Math.min(1, u)) * (stops.length - 1);
        int i = Math.min((int) s, stops.length - 2);
        double f = s - i;
        return new Color((int) Math.round(stops[i][0] + f * (stops[i + 1][0] - stops[i][0])),
                (int) Math.round(stops[i][1] + f * (stops[i + 1][1] - stops[i][1])),
                (int) Math.round(stops[i][2] + f * (stops[i + 1][2] - stops[i][2])));
    }

    private static Color blend(Color a, Color b, double f) {
        return new Color((int) (a.getRed() + f * (b.getRed() - a.getRed())),
                (int) (a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) (a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }
}
