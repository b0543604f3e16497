package dev.descent.core;

/**
 * An index outside the axis it selects from, found by a backend's gather: the op, the index,
 * where it sits in the index tensor (its row-major position) and the axis's size, as fields, so
 * that a caller can say what the index meant (a loss names the class label and the class count).
 *
 * <p>A CPU backend throws it from the op itself. A GPU backend would have to synchronise to do
 * that, so it records the fault on the device and throws it at its next read to the host
 * ({@link #deferred()}: another op's read then reports it, as PyTorch's device-side asserts do).
 */
public final class IndexOutOfRangeException extends IndexOutOfBoundsException {
    private static final long serialVersionUID = 1L;

    private final String op;
    private final long index;
    private final long position;
    private final int axis;
    private final long axisSize;
    private final boolean deferred;

    /**
     * @param op the op that read the index ({@code gather})
     * @param index the index found
     * @param position its row-major position in the index tensor, from 0
     * @param axis the axis it indexes
     * @param axisSize that axis's size: valid indices are 0 to axisSize − 1
     * @param deferred true when it is raised by a later read rather than by the op itself
     */
    public IndexOutOfRangeException(String op, long index, long position, int axis, long axisSize, boolean deferred) {
        super(message(op, index, position, axis, axisSize, deferred));
        this.op = op;
        this.index = index;
        this.position = position;
        this.axis = axis;
        this.axisSize = axisSize;
        this.deferred = deferred;
    }

    private static String message(String op, long index, long position, int axis, long axisSize, boolean deferred) {
        String m = op + ": index " + index + " at position " + position + " is out of range for axis " + axis
                + " of size " + axisSize + " (expected 0.." + (axisSize - 1) + ")";
        return deferred ? m + "; found on the device by a " + op + " launched before this read from it (with"
                + " -Ddescent.cuda.sync=true the op that launched it throws)" : m;
    }

    /** The same fault reported under another op's name, at {@code position} in that op's index. */
    public IndexOutOfRangeException as(String otherOp, long otherPosition) {
        return new IndexOutOfRangeException(otherOp, index, otherPosition, axis, axisSize, deferred);
    }

    public String op() {
        return op;
    }

    public long index() {
        return index;
    }

    public long position() {
        return position;
    }

    public int axis() {
        return axis;
    }

    public long axisSize() {
        return axisSize;
    }

    public boolean deferred() {
        return deferred;
    }
}
