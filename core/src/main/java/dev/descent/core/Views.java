package dev.descent.core;

/** Stride arithmetic for views: the rules that let reshape and broadcast avoid copies. */
final class Views {
    private Views() {
    }

    /**
     * Strides that present {@code oldDims}/{@code oldStrides} as {@code newDims} without a
     * copy, or null if none exist. Groups of dimensions that are contiguous with each other
     * may be split or merged freely (the rule PyTorch's {@code view} follows).
     */
    static long[] reshapeStrides(int[] oldDims, long[] oldStrides, int[] newDims) {
        long numel = 1;
        for (int d : oldDims) {
            numel *= d;
        }
        if (numel == 0 || oldDims.length == 0) {
            return Shape.of(newDims).contiguousStrides();
        }
        long[] newStrides = new long[newDims.length];
        int viewD = newDims.length - 1;
        long chunkBase = oldStrides[oldDims.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = oldDims.length - 1; d >= 0; d--) {
            tensorNumel *= oldDims[d];
            boolean chunkEnds = d == 0 || (oldDims[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBase);
            if (chunkEnds) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newDims[viewD] == 1)) {
                    newStrides[viewD] = viewNumel * chunkBase;
                    viewNumel *= newDims[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBase = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? newStrides : null;
    }

    /** Strides of {@code dims} broadcast to {@code target}: 0 wherever an element repeats. */
    static long[] broadcastStrides(int[] dims, long[] strides, int[] target) {
        long[] out = new long[target.length];
        int lead = target.length - dims.length;
        for (int i = 0; i < dims.length; i++) {
            out[lead + i] = dims[i] == 1 && target[lead + i] != 1 ? 0 : strides[i];
        }
        return out;
    }

    static int[] remove(int[] a, int i) {
        int[] r = new int[a.length - 1];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - i - 1);
        return r;
    }

    /** {@code a} without the entries at the sorted, distinct indices {@code indices}. */
    static int[] removeAll(int[] a, int[] indices) {
        int[] r = new int[a.length - indices.length];
        for (int i = 0, k = 0; i < a.length; i++) {
            if (java.util.Arrays.binarySearch(indices, i) < 0) {
                r[k++] = a[i];
            }
        }
        return r;
    }

    static long[] remove(long[] a, int i) {
        long[] r = new long[a.length - 1];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - i - 1);
        return r;
    }

    static int[] insert(int[] a, int i, int v) {
        int[] r = new int[a.length + 1];
        System.arraycopy(a, 0, r, 0, i);
        r[i] = v;
        System.arraycopy(a, i, r, i + 1, a.length - i);
        return r;
    }

    static long[] insert(long[] a, int i, long v) {
        long[] r = new long[a.length + 1];
        System.arraycopy(a, 0, r, 0, i);
        r[i] = v;
        System.arraycopy(a, i, r, i + 1, a.length - i);
        return r;
    }
}
