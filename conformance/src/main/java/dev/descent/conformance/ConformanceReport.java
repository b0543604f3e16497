package dev.descent.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a conformance run found, op by op: how many cases ran, how many failed, and the worst
 * element seen (its absolute and relative error, index and case), so that one table shows
 * both what broke and how close the rest came to their tolerances.
 */
public final class ConformanceReport {
    private final String backend;
    private final Map<String, Row> rows = new LinkedHashMap<>();

    public ConformanceReport(String backend) {
        this.backend = backend;
    }

    /** One op's tally. */
    private static final class Row {
        final String category;
        final String op;
        int cases;
        int failed;
        Comparison worst;
        String worstCase;
        String firstFailure;

        Row(String category, String op) {
            this.category = category;
            this.op = op;
        }
    }

    private Row row(String category, String op) {
        return rows.computeIfAbsent(category + "\u0000" + op, k -> new Row(category, op));
    }

    /** Records a case that ran to the end; {@code worst} is its worst comparison, or null if it compared no numbers. */
    public synchronized void passed(String category, String op, String caseName, Comparison worst) {
        Row r = row(category, op);
        r.cases++;
        keepWorst(r, caseName, worst);
    }

    /** Records a failed case with the reason (and its worst comparison, when the failure was one). */
    public synchronized void failed(String category, String op, String caseName, Comparison worst, String reason) {
        Row r = row(category, op);
        r.cases++;
        r.failed++;
        keepWorst(r, caseName, worst);
        if (r.firstFailure == null) {
            r.firstFailure = reason;
        }
    }

    private static void keepWorst(Row r, String caseName, Comparison c) {
        if (c != null && c.elements() > 0 && (r.worst == null || c.ratio() > r.worst.ratio())) {
            r.worst = c;
            r.worstCase = caseName;
        }
    }

    public synchronized int cases() {
        return rows.values().stream().mapToInt(r -> r.cases).sum();
    }

    public synchronized int failures() {
        return rows.values().stream().mapToInt(r -> r.failed).sum();
    }

    /**
     * The table, one row per op grouped by category: cases, failures, and the worst element
     * (error over allowance, absolute and relative error, case and index; "exact" when every
     * element matched bit for bit). Then the first failure of each failing op.
     */
    public synchronized String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nDescent conformance report for backend '%s': %d cases, %d passed, %d failed%n",
                backend, cases(), cases() - failures(), failures()));
        String fmt = "%-11s %-26s %6s %6s %9s %10s %10s  %s%n";
        sb.append(String.format(Locale.ROOT, fmt, "category", "op", "cases", "failed", "err/allow", "worst abs",
                "worst rel", "worst element: case [index]"));
        sb.append("-".repeat(140)).append('\n');
        List<Row> ordered = new ArrayList<>(rows.values());
        List<String> categories = ordered.stream().map(r -> r.category).distinct().toList();
        ordered.sort(java.util.Comparator.comparingInt(r -> categories.indexOf(r.category)));
        List<Row> failing = new ArrayList<>();
        for (Row r : ordered) {
            String ratio = "-";
            String abs = "";
            String rel = "";
            String where = "";
            if (r.worst != null && r.worst.ratio() == 0) {
                ratio = "exact";
            } else if (r.worst != null) {
                ratio = String.format(Locale.ROOT, "%.3g", r.worst.ratio());
                abs = String.format(Locale.ROOT, "%.3g", r.worst.absError());
                rel = String.format(Locale.ROOT, "%.3g", r.worst.relError());
                where = r.worstCase + " " + java.util.Arrays.toString(r.worst.worstIndex());
            }
            sb.append(String.format(Locale.ROOT, fmt, r.category, r.op, r.cases, r.failed == 0 ? "" : r.failed, ratio,
                    abs, rel, where));
            if (r.failed > 0) {
                failing.add(r);
            }
        }
        if (!failing.isEmpty()) {
            sb.append("\nFailures (the first of each op):\n");
            for (Row r : failing) {
                sb.append("  [").append(r.failed).append(" of ").append(r.cases).append(" failed] ")
                        .append(r.firstFailure).append('\n');
            }
        }
        return sb.toString();
    }
}
