package dev.descent.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** The bytes of an IDX file: magic 0x0000 TT DD, the dims, then {@code data}. */
    static byte[] idx(int typeCode, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(0);
        out.writeByte(0);
        out.writeByte(typeCode);
        out.writeByte(dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(plain);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private static final byte[] PIXELS = {0, 1, 2, (byte) 255, 10, 20, 30, 40, 50, 60, 70, (byte) 128};

    @Test
    void readsUnsignedBytesInTheirDimensions() throws IOException {
        IdxArray a = IdxReader.read(write("images", idx(0x08, new int[] {3, 2, 2}, PIXELS)), IdxType.UBYTE, 3);
        assertArrayEquals(new int[] {3, 2, 2}, a.dims());
        assertArrayEquals(new int[] {0, 1, 2, 255, 10, 20, 30, 40, 50, 60, 70, 128}, a.toIntArray());
        assertEquals(255 / 255.0f, a.toFloatArray(1 / 255.0)[3]);
    }

    @Test
    void readsGzippedFilesWhateverTheirName() throws IOException {
        IdxArray a = IdxReader.read(write("images-no-suffix", gzip(idx(0x08, new int[] {3, 2, 2}, PIXELS))));
        assertArrayEquals(new int[] {3, 2, 2}, a.dims());
        assertEquals(128, a.toIntArray()[11]);
    }

    @Test
    void readsBigEndianIntsAndFloats() throws IOException {
        byte[] ints = {0, 0, 1, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE};
        assertArrayEquals(new int[] {256, -2}, IdxReader.read(write("ints", idx(0x0C, new int[] {2}, ints))).toIntArray());
        byte[] floats = {0x3F, (byte) 0xC0, 0, 0};
        assertEquals(1.5f, IdxReader.read(write("floats", idx(0x0D, new int[] {1}, floats))).toFloatArray(1)[0]);
    }

    @Test
    void aTruncatedDataSectionIsRefusedWithTheSizes() throws IOException {
        byte[] full = idx(0x08, new int[] {3, 2, 2}, PIXELS);
        Path p = write("short", Arrays.copyOf(full, full.length - 5));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("need 12 data bytes")
                && e.getMessage().contains("has 7") && e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void aTruncatedHeaderIsRefused() throws IOException {
        byte[] full = idx(0x08, new int[] {3, 2, 2}, PIXELS);
        Path p = write("header", Arrays.copyOf(full, 9));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("3 dimension size(s)"),
                e.getMessage());
        Path tiny = write("tiny", new byte[] {0, 0});
        IdxFormatException t = assertThrows(IdxFormatException.class, () -> IdxReader.read(tiny));
        assertTrue(t.getMessage().contains("magic number"), t.getMessage());
    }

    @Test
    void aTruncatedGzipStreamIsRefused() throws IOException {
        byte[] gz = gzip(idx(0x08, new int[] {3, 2, 2}, PIXELS));
        Path p = write("cut.gz", Arrays.copyOf(gz, gz.length - 12));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void aWrongMagicNumberIsRefused() throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
        Path p = write("picture.png", png);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("not an IDX file") && e.getMessage().contains("0x89504E47"), e.getMessage());
    }

    @Test
    void anUnknownElementTypeIsRefused() throws IOException {
        Path p = write("type", idx(0x07, new int[] {1}, new byte[] {1}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("unknown IDX element type 0x07"), e.getMessage());
    }

    @Test
    void bytesAfterTheLastElementAreRefused() throws IOException {
        byte[] longer = Arrays.copyOf(idx(0x08, new int[] {3, 2, 2}, PIXELS), 16 + 12 + 3);
        Path p = write("long", longer);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("3 unexpected byte(s)"), e.getMessage());
    }

    @Test
    void labelsWhereImagesAreExpectedAreRefusedNamingBothMagicNumbers() throws IOException {
        Path labels = write("labels", idx(0x08, new int[] {4}, new byte[] {1, 2, 3, 4}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(labels, IdxType.UBYTE, 3));
        assertTrue(e.getMessage().contains("magic 0x00000803") && e.getMessage().contains("magic 0x00000801"),
                e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path p = dir.resolve("absent");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("absent"), e.getMessage());
    }

    /** Issue 17, item 2: sizes are checked against the bytes present before anything is read into memory. */
    @Test
    void aGzipFileDeclaringMoreThanItCanInflateToIsRefusedBeforeReading() throws IOException {
        Path p = write("bomb.gz", gzip(idx(0x08, new int[] {1000, 1000}, new byte[100])));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("bomb.gz: truncated") && e.getMessage().contains("1000000 data bytes")
                && e.getMessage().contains("what its compressed bytes can inflate to"), e.getMessage());
    }

    @Test
    void aDirectoryIsRefusedNamingIt() throws IOException {
        Path d = Files.createDirectories(dir.resolve("train-images-idx3-ubyte"));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(d));
        assertTrue(e.getMessage().contains(d.toString()) && e.getMessage().contains("directory"), e.getMessage());
    }
}
