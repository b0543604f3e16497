package dev.descent.lab.support;

import dev.descent.lab.Format;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A CSV file written row by row: a header, then numbers at full precision. */
public final class Csv implements AutoCloseable {
    private final Writer out;
    private final int columns;

    public Csv(Path file, String... header) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        this.columns = header.length;
        out.write(String.join(",", header));
        out.write('\n');
    }

    /** One row; strings are written as given (no commas), numbers at full precision. */
    public Csv row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("CSV row of " + cells.length + " cells for " + columns + " columns");
        }
        try {
            for (int i = 0; i < cells.length; i++) {
                if (i > 0) {
                    out.write(',');
                }
                Object c = cells[i];
                out.write(c instanceof Double d ? Format.exact(d) : String.valueOf(c));
            }
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** Writes a whole table at once. */
    public static Path write(Path file, List<String> header, List<Object[]> rows) throws IOException {
        try (Csv csv = new Csv(file, header.toArray(String[]::new))) {
            for (Object[] r : rows) {
                csv.row(r);
            }
        }
        return file;
    }
}
