package dev.descent.lab;

import java.math.BigDecimal;
import java.math.MathContext;

/** Numbers as the reports and CSV files write them. */
public final class Format {
    private Format() {
    }

    /** 6 significant digits, trailing zeros dropped; integers without a decimal point; "n/a" for NaN. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return new BigDecimal(v, new MathContext(6)).stripTrailingZeros().toString();
    }

    /** Full precision, for data files. */
    public static String exact(double v) {
        return Double.toString(v);
    }
}
