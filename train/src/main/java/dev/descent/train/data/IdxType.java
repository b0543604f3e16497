package dev.descent.train.data;

/** The element types of the IDX format, by the code in the magic number's third byte. */
public enum IdxType {
    UBYTE(0x08, 1),
    BYTE(0x09, 1),
    SHORT(0x0B, 2),
    INT(0x0C, 4),
    FLOAT(0x0D, 4),
    DOUBLE(0x0E, 8);

    private final int code;
    private final int size;

    IdxType(int code, int size) {
        this.code = code;
        this.size = size;
    }

    /** The type code in the file. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The type of a code, or null when the code is not one of the format's. */
    static IdxType ofCode(int code) {
        for (IdxType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
