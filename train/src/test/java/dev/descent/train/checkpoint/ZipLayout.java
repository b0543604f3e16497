package dev.descent.train.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Where the fields of a small ZIP file are (APPNOTE 4.3.7 and 4.3.12), to corrupt them on
 * purpose, and how to put parts back into a valid archive (a crafted file: CRCs recomputed).
 */
final class ZipLayout {
    private static final int CEN_SIG = 0x02014b50;
    private static final int END_SIG = 0x06054b50;

    /** One entry: where its central-directory record and its data are. */
    record Entry(String name, int cen, int loc, int data, int compressedSize) {
        /** Offsets of the 4-byte fields of the central record. */
        int cenCrc() {
            return cen + 16;
        }

        int cenCompressedSize() {
            return cen + 20;
        }

        int cenSize() {
            return cen + 24;
        }

        int locNameLength() {
            return loc + 26;
        }
    }

    static List<Entry> entries(byte[] zip) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int end = zip.length - 22;
        while (b.getInt(end) != END_SIG) {
            end--;
        }
        int count = b.getShort(end + 10) & 0xFFFF;
        int at = b.getInt(end + 16);
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (b.getInt(at) != CEN_SIG) {
                throw new IllegalStateException("no central record at " + at);
            }
            int csize = b.getInt(at + 20);
            int nameLen = b.getShort(at + 28) & 0xFFFF;
            int extraLen = b.getShort(at + 30) & 0xFFFF;
            int commentLen = b.getShort(at + 32) & 0xFFFF;
            int loc = b.getInt(at + 42);
            String name = new String(zip, at + 46, nameLen, java.nio.charset.StandardCharsets.UTF_8);
            int data = loc + 30 + (b.getShort(loc + 26) & 0xFFFF) + (b.getShort(loc + 28) & 0xFFFF);
            out.add(new Entry(name, at, loc, data, csize));
            at += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }

    static Entry entry(byte[] zip, String name) {
        return entries(zip).stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    static void putInt(byte[] zip, int at, int value) {
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    }

    /** The parts of a valid archive, by name, in order. */
    static Map<String, byte[]> parts(byte[] zip) {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                parts.put(e.getName(), in.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parts;
    }

    /** A valid archive of {@code parts} (deflated, with correct CRCs and sizes). */
    static byte[] zip(Map<String, byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> p : parts.entrySet()) {
                zip.putNextEntry(new ZipEntry(p.getKey()));
                zip.write(p.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code parts} with {@code name} replaced. */
    static Map<String, byte[]> with(Map<String, byte[]> parts, String name, byte[] bytes) {
        Map<String, byte[]> m = new LinkedHashMap<>(parts);
        m.put(name, bytes);
        return m;
    }

    private ZipLayout() {
    }
}
