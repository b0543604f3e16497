package dev.descent.cpu;

import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.UnaryOp;

/**
 * The arithmetic of every elementwise op, over a chunk of values already read into a Java
 * array: the CPU backend's one definition of each op. Floating dtypes compute in double
 * (float64 tensors, elementwise programs, and float32 ops that {@link FloatKernels} has no
 * float kernel for, rounded once on store); integer dtypes compute in long. Each op is its own
 * tight loop, which the JIT vectorises where it can. The float64 functions are {@link Math}'s
 * (within 1 ulp; tanh 2.5) and {@link ScalarMath}'s.
 */
final class ChunkMath {
    private ChunkMath() {
    }

    static void unary(UnaryOp op, double[] x, double[] out, int n) {
        switch (op) {
            case NEG -> {
                for (int i = 0; i < n; i++) {
                    out[i] = -x[i];
                }
            }
            case ABS -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.abs(x[i]);
                }
            }
            case SIGN -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.signum(x[i]);
                }
            }
            case SQUARE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] * x[i];
                }
            }
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.max(x[i], 0.0);
                }
            }
            case EXP -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.exp(x[i]);
                }
            }
            case LOG -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.log(x[i]);
                }
            }
            case LOG1P -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.log1p(x[i]);
                }
            }
            case SQRT -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.sqrt(x[i]);
                }
            }
            case RSQRT -> {
                for (int i = 0; i < n; i++) {
                    out[i] = 1.0 / Math.sqrt(x[i]);
                }
            }
            case RECIPROCAL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = 1.0 / x[i];
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    out[i] = ScalarMath.sigmoid(x[i]);
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.tanh(x[i]);
                }
            }
            case EXPM1 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.expm1(x[i]);
                }
            }
            case ERF -> {
                for (int i = 0; i < n; i++) {
                    out[i] = ScalarMath.erf(x[i]);
                }
            }
            case GELU -> {
                for (int i = 0; i < n; i++) {
                    out[i] = ScalarMath.gelu(x[i]);
                }
            }
            case SOFTPLUS -> {
                for (int i = 0; i < n; i++) {
                    out[i] = ScalarMath.softplus(x[i]);
                }
            }
            case SIN -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.sin(x[i]);
                }
            }
            case COS -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.cos(x[i]);
                }
            }
        }
    }

    /** The sum of {@code v[0..n)}; four accumulators break the chain of dependent adds. */
    static double sum(double[] v, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
        }
        for (; i < n; i++) {
            s0 += v[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    static void unary(UnaryOp op, long[] x, long[] out, int n) {
        switch (op) {
            case NEG -> {
                for (int i = 0; i < n; i++) {
                    out[i] = -x[i];
                }
            }
            case ABS -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.abs(x[i]);
                }
            }
            case SIGN -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Long.signum(x[i]);
                }
            }
            case SQUARE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] * x[i];
                }
            }
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.max(x[i], 0L);
                }
            }
            default -> throw new IllegalArgumentException(op.label() + ": not defined for integer dtypes");
        }
    }

    static void binary(BinaryOp op, double[] a, double[] b, double[] out, int n) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] + b[i];
                }
            }
            case SUB -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] - b[i];
                }
            }
            case MUL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] * b[i];
                }
            }
            case DIV -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] / b[i];
                }
            }
            case POW -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.pow(a[i], b[i]);
                }
            }
            case MAXIMUM -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.max(a[i], b[i]);
                }
            }
            case MINIMUM -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.min(a[i], b[i]);
                }
            }
            case EQ -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] == b[i] ? 1 : 0;
                }
            }
            case NE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] != b[i] ? 1 : 0;
                }
            }
            case LT -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] < b[i] ? 1 : 0;
                }
            }
            case LE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] <= b[i] ? 1 : 0;
                }
            }
            case GT -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] > b[i] ? 1 : 0;
                }
            }
            case GE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] >= b[i] ? 1 : 0;
                }
            }
        }
    }

    static void binary(BinaryOp op, long[] a, long[] b, long[] out, int n) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] + b[i];
                }
            }
            case SUB -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] - b[i];
                }
            }
            case MUL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] * b[i];
                }
            }
            case MAXIMUM -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.max(a[i], b[i]);
                }
            }
            case MINIMUM -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.min(a[i], b[i]);
                }
            }
            case EQ -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] == b[i] ? 1 : 0;
                }
            }
            case NE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] != b[i] ? 1 : 0;
                }
            }
            case LT -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] < b[i] ? 1 : 0;
                }
            }
            case LE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] <= b[i] ? 1 : 0;
                }
            }
            case GT -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] > b[i] ? 1 : 0;
                }
            }
            case GE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = a[i] >= b[i] ? 1 : 0;
                }
            }
            default -> throw new IllegalArgumentException(op.label() + ": not defined for integer dtypes");
        }
    }
}
