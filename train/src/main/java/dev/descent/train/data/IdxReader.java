package dev.descent.train.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed (recognised
 * by the gzip magic bytes, whatever the file's name).
 *
 * <pre>
 * bytes 0-1   0x00 0x00
 * byte  2     the element type: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double
 * byte  3     the number of dimensions d
 * 4·d bytes   each dimension, a big-endian 32-bit integer
 * rest        the elements, row-major, big-endian: exactly the product of the dimensions
 * </pre>
 *
 * Every check names the file: the magic number, the type code, the dimensions, a file that ends
 * early (truncated) and one with bytes after its last element.
 */
public final class IdxReader {
    /** Refuses headers asking for more than this many bytes (a corrupt dimension). */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /** Deflate cannot expand its input more than 1032 times: a gzip file declaring more is corrupt. */
    private static final long MAX_DEFLATE_RATIO = 1100;

    /** Reads any IDX file. */
    public static IdxArray read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IdxFormatException(path + ": a directory, expected an IDX file");
        }
        long size = Files.size(path);
        boolean[] gzip = new boolean[1];
        try (InputStream in = open(path, gzip)) {
            // plain: the data are in the file; gzip: at most what its compressed bytes inflate to
            return read(in, path.toString(), gzip[0] ? size * MAX_DEFLATE_RATIO + 1024 : size, gzip[0]);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "IDX file not found");
        }
    }

    /**
     * Reads an IDX file and checks it holds {@code expected} elements in {@code rank} dimensions
     * (MNIST images: ubyte, 3; labels: ubyte, 1).
     */
    public static IdxArray read(Path path, IdxType expected, int rank) throws IOException {
        IdxArray a = read(path);
        if (a.type() != expected || a.dims().length != rank) {
            throw new IdxFormatException(path + ": expected an IDX file of " + expected.name().toLowerCase() + " in "
                    + rank + " dimension(s) (magic 0x" + String.format("%08X", (expected.code() << 8) | rank)
                    + "), got " + a.type().name().toLowerCase() + " in " + a.dims().length + " dimension(s) (magic 0x"
                    + String.format("%08X", (a.type().code() << 8) | a.dims().length) + ")");
        }
        return a;
    }

    /** The file's stream, through a gzip decoder when it starts with gzip's magic bytes ({@code gzip[0]} says which). */
    private static InputStream open(Path path, boolean[] gzip) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1F && b1 == 0x8B) {
            gzip[0] = true;
            try {
                return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            } catch (ZipException | EOFException e) {
                raw.close();
                throw new IdxFormatException(path + ": a broken gzip stream (" + e.getMessage() + ")", e);
            }
        }
        return raw;
    }

    /** Reads an IDX stream; {@code source} names it in errors. The stream is read to its end. */
    public static IdxArray read(InputStream in, String source) throws IOException {
        return read(in, source, Long.MAX_VALUE, false);
    }

    /**
     * Reads an IDX stream of at most {@code maxBytes} bytes; the dimensions are checked against
     * that and against the heap before the data are read.
     */
    private static IdxArray read(InputStream in, String source, long maxBytes, boolean compressed) throws IOException {
        try {
            byte[] magic = readFully(in, 4, source, "the 4-byte magic number");
            if (magic[0] != 0 || magic[1] != 0) {
                throw new IdxFormatException(source + ": not an IDX file: magic number 0x" + hex(magic)
                        + ", expected 0x0000TTDD (two zero bytes, the type, the number of dimensions)");
            }
            IdxType type = IdxType.ofCode(magic[2] & 0xFF);
            if (type == null) {
                throw new IdxFormatException(source + ": unknown IDX element type 0x"
                        + String.format("%02X", magic[2] & 0xFF) + " in magic number 0x" + hex(magic)
                        + ", expected 08, 09, 0B, 0C, 0D or 0E");
            }
            int rank = magic[3] & 0xFF;
            if (rank == 0) {
                throw new IdxFormatException(source + ": magic number 0x" + hex(magic)
                        + " declares 0 dimensions, expected at least 1");
            }
            byte[] header = readFully(in, 4 * rank, source, rank + " dimension size(s)");
            int[] dims = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = ((header[4 * i] & 0xFF) << 24) | ((header[4 * i + 1] & 0xFF) << 16)
                        | ((header[4 * i + 2] & 0xFF) << 8) | (header[4 * i + 3] & 0xFF);
                if (dims[i] < 0) {
                    throw new IdxFormatException(source + ": dimension " + i + " is " + (dims[i] & 0xFFFFFFFFL)
                            + ", too large (expected at most " + Integer.MAX_VALUE + ")");
                }
                count *= dims[i];
                if (count * type.size() > MAX_BYTES) {
                    throw new IdxFormatException(source + ": dimensions " + Arrays.toString(dims)
                            + " ask for more than " + MAX_BYTES + " bytes of data");
                }
            }
            int bytes = (int) (count * type.size());
            long headerBytes = 4 + 4L * rank;
            if (headerBytes + bytes > maxBytes) {
                throw new IdxFormatException(source + ": truncated: dimensions " + Arrays.toString(dims) + " of "
                        + type.name().toLowerCase() + " need " + bytes + " data bytes, the file has " + (compressed
                        ? "at most " + (maxBytes - headerBytes) + " (what its compressed bytes can inflate to)"
                        : Long.toString(maxBytes - headerBytes)));
            }
            long heap = Runtime.getRuntime().maxMemory() / 2;
            if (bytes > heap) {
                throw new IdxFormatException(source + ": dimensions " + Arrays.toString(dims) + " need " + bytes
                        + " bytes in memory, more than half this JVM's heap (" + heap + "); give it more (-Xmx)");
            }
            byte[] data = in.readNBytes(bytes);
            if (data.length < bytes) {
                throw new IdxFormatException(source + ": truncated: dimensions " + Arrays.toString(dims) + " of "
                        + type.name().toLowerCase() + " need " + bytes + " data bytes, the file has " + data.length);
            }
            long extra = 0;
            while (in.read() >= 0) {
                extra++;
                extra += in.skip(Long.MAX_VALUE);
            }
            if (extra > 0) {
                throw new IdxFormatException(source + ": " + extra + " unexpected byte(s) after the " + count
                        + " elements of dimensions " + Arrays.toString(dims));
            }
            return new IdxArray(type, dims, data);
        } catch (EOFException | ZipException e) {
            throw new IdxFormatException(source + ": truncated or corrupt compressed data (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] readFully(InputStream in, int n, String source, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IdxFormatException(source + ": truncated: the file ends after " + b.length + " of the " + n
                    + " bytes of " + what);
        }
        return b;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02X", x & 0xFF));
        }
        return sb.toString();
    }
}
