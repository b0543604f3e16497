package dev.descent.autograd;

/**
 * How many times a value's memory was changed in place through the {@link Variable} API, and
 * by which op last. Views share their base's counter, as they share its memory. A node records
 * the versions of the values it saves; a different version at backward time means the value it
 * needs is gone.
 */
final class Version {
    private int value;
    private String lastOp = "";

    int value() {
        return value;
    }

    String lastOp() {
        return lastOp;
    }

    void bump(String op) {
        value++;
        lastOp = op;
    }
}
