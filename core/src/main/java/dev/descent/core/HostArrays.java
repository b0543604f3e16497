package dev.descent.core;

/** Java arrays of each dtype: the form tensors take on the host. */
final class HostArrays {
    private HostArrays() {
    }

    static Object allocate(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
        };
    }

    static int length(Object array) {
        return java.lang.reflect.Array.getLength(array);
    }

    /** The values converted to {@code dtype} (floats truncate toward zero for integer types). */
    static Object fromDoubles(double[] v, DType dtype) {
        switch (dtype) {
            case FLOAT64:
                return v;
            case FLOAT32: {
                float[] r = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    r[i] = (float) v[i];
                }
                return r;
            }
            case INT32: {
                int[] r = new int[v.length];
                for (int i = 0; i < v.length; i++) {
                    r[i] = (int) v[i];
                }
                return r;
            }
            default: {
                long[] r = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    r[i] = (long) v[i];
                }
                return r;
            }
        }
    }
}
