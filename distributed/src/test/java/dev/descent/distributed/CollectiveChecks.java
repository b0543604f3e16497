package dev.descent.distributed;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One rank of {@link CollectivesAcrossProcessesTest}: joins the group from the environment, runs
 * every collective on every dtype and size, and compares each result with one computed here from
 * every rank's input (each rank can make any rank's input: it is drawn from a generator seeded
 * with that rank). The values are multiples of 1/8 below 2^10, so every sum is exact in float32
 * in any order, and results must match bit for bit. Prints "checked N" and exits 0, or prints
 * the first mismatch and exits 1.
 */
public final class CollectiveChecks {
    private static final int[] SIZES = {0, 1, 7, 1_001, 65_537};
    private static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64};

    private CollectiveChecks() {
    }

    public static void main(String[] args) {
        Rendezvous r = Rendezvous.fromEnvironment();
        int checked = 0;
        try (ProcessGroup g = ProcessGroups.init("gloo", r)) {
            int n = g.worldSize();
            for (DType d : DTYPES) {
                for (int size : SIZES) {
                    checked += allReduce(g, d, size, n);
                    checked += broadcast(g, d, size, n);
                    checked += allGather(g, d, size, n);
                    checked += reduceScatter(g, d, size, n);
                }
            }
            checked += overlapped(g, n);
            g.barrier();
            checked++;
        } catch (AssertionError e) {
            System.out.println("MISMATCH " + e.getMessage());
            System.exit(1);
        }
        System.out.println("checked " + checked);
    }

    /** Rank {@code rank}'s input of case {@code salt}: exact multiples of 1/8 (integers for int dtypes). */
    static double[] input(int rank, int salt, int size, DType d) {
        Generator gen = new Generator(1_000_003L * salt + rank);
        double[] x = new double[size];
        for (int i = 0; i < size; i++) {
            double v = Math.floor(gen.nextDouble() * 8192) - 4096;
            x[i] = d.isFloating() ? v / 8 : v;
        }
        return x;
    }

    static Tensor tensor(double[] x, DType d) {
        try (Tensor t = Tensor.of(x)) {
            return t.to(d);
        }
    }

    private static int allReduce(ProcessGroup g, DType d, int size, int n) {
        int salt = 11 * size + d.ordinal();
        List<ReduceOp> ops = new ArrayList<>(List.of(ReduceOp.SUM, ReduceOp.MAX));
        if (d.isFloating()) {
            ops.add(ReduceOp.AVERAGE);
        }
        for (ReduceOp op : ops) {
            double[] expected = new double[size];
            Arrays.fill(expected, op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0);
            for (int r = 0; r < n; r++) {
                double[] x = input(r, salt, size, d);
                for (int i = 0; i < size; i++) {
                    expected[i] = op == ReduceOp.MAX ? Math.max(expected[i], x[i]) : expected[i] + x[i];
                }
            }
            if (op == ReduceOp.AVERAGE) {
                for (int i = 0; i < size; i++) {
                    expected[i] = d == DType.FLOAT32 ? (float) expected[i] / (float) n : expected[i] / n;
                }
            }
            try (Tensor t = tensor(input(g.rank(), salt, size, d), d)) {
                g.allReduce(t, op);
                same("allReduce " + op + " " + d + "[" + size + "]", expected, t.toDoubleArray());
            }
        }
        return ops.size();
    }

    private static int broadcast(ProcessGroup g, DType d, int size, int n) {
        int salt = 13 * size + d.ordinal() + 1;
        for (int root = 0; root < n; root++) {
            try (Tensor t = tensor(input(g.rank(), salt, size, d), d)) {
                g.broadcast(t, root);
                same("broadcast from " + root + " " + d + "[" + size + "]", input(root, salt, size, d),
                        t.toDoubleArray());
            }
        }
        return n;
    }

    private static int allGather(ProcessGroup g, DType d, int size, int n) {
        int salt = 17 * size + d.ordinal() + 2;
        double[] expected = new double[size * n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(input(r, salt, size, d), 0, expected, r * size, size);
        }
        try (Tensor x = tensor(input(g.rank(), salt, size, d), d);
             Tensor y = Tensor.zeros(d, n, size)) {
            g.allGather(x, y);
            same("allGather " + d + "[" + size + "]", expected, y.toDoubleArray());
        }
        return 1;
    }

    private static int reduceScatter(ProcessGroup g, DType d, int size, int n) {
        int salt = 19 * size + d.ordinal() + 3;
        double[] sum = new double[size * n];
        for (int r = 0; r < n; r++) {
            double[] x = input(r, salt, size * n, d);
            for (int i = 0; i < x.length; i++) {
                sum[i] += x[i];
            }
        }
        double[] expected = Arrays.copyOfRange(sum, g.rank() * size, (g.rank() + 1) * size);
        try (Tensor x = tensor(input(g.rank(), salt, size * n, d), d);
             Tensor y = Tensor.zeros(d, size)) {
            g.reduceScatter(x, y, ReduceOp.SUM);
            same("reduceScatter " + d + "[" + n + " x " + size + "]", expected, y.toDoubleArray());
        }
        return 1;
    }

    /** Several all-reduces in flight at once, on views into one buffer at offsets, awaited in reverse. */
    private static int overlapped(ProcessGroup g, int n) {
        int parts = 5;
        int size = 3_001;
        try (Tensor all = tensor(input(g.rank(), 99, parts * size, DType.FLOAT32), DType.FLOAT32)) {
            List<Work> works = new ArrayList<>();
            List<Tensor> views = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                Tensor v = all.narrow(0, p * size, size);
                views.add(v);
                works.add(g.allReduceAsync(v, ReduceOp.SUM));
            }
            for (int p = parts - 1; p >= 0; p--) {
                works.get(p).await();
            }
            double[] expected = new double[parts * size];
            for (int r = 0; r < n; r++) {
                double[] x = input(r, 99, parts * size, DType.FLOAT32);
                for (int i = 0; i < x.length; i++) {
                    expected[i] += x[i];
                }
            }
            same("overlapped allReduceAsync on views", expected, all.toDoubleArray());
            views.forEach(Tensor::close);
        }
        return parts;
    }

    private static void same(String what, double[] expected, double[] got) {
        if (expected.length != got.length) {
            throw new AssertionError(what + ": " + got.length + " elements, expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(got[i])) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", expected " + expected[i]);
            }
        }
    }
}
