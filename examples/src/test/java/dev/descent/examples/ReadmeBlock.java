package dev.descent.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code ```java} block of a README, with the setup a reader is assumed to have.
 *
 * <p>A block is either statements (run in order, as the body of a method) or declarations
 * (classes, records, interfaces: compiled, then used by the setup). The setup is an HTML
 * comment right above the block, invisible on the rendered page:
 *
 * <pre>
 * &lt;!-- example
 * Generator gen = new Generator(1);      (statements: run before the block)
 * --&gt;
 * </pre>
 *
 * For declarations the comment's statements run after the classes are compiled (they use them).
 * Names from Descent's packages are imported for the block; other imports it writes itself.
 *
 * <p>A block that only makes sense in several processes at once (a rank of a process group) says
 * which test source runs it as ranks: {@code <!-- ranks: distributed/src/test/java/.../ReadmeExample.java -->}.
 * It is then checked to be that source's code, line for line, instead of being run here.
 *
 * @param file the README, relative to the repository root
 * @param line the line of the opening fence (1-based)
 * @param code the block's text
 * @param setup the statements of the comment above it, or empty
 * @param ranSource the test source that runs it as ranks (relative to the root), or empty
 */
record ReadmeBlock(String file, int line, String code, String setup, String ranSource) {
    private static final String RANKS = "<!-- ranks:";

    ReadmeBlock(String file, int line, String code, String setup) {
        this(file, line, code, setup, "");
    }

    private static final Pattern DECLARATION = Pattern.compile(
            "^(public |abstract |final |static )*(class|record|interface|enum) ", Pattern.MULTILINE);

    /** Whether the block declares types rather than running statements. */
    boolean declares() {
        for (String l : code.split("\n")) {
            String t = l.strip();
            if (t.isEmpty() || t.startsWith("//") || t.startsWith("/*") || t.startsWith("*") || t.startsWith("@")
                    || t.startsWith("import ")) {
                continue;
            }
            return DECLARATION.matcher(t).lookingAt();
        }
        return false;
    }

    /** Where it is, for test names and messages: {@code optim/README.md:9}. */
    String where() {
        return file + ":" + line;
    }

    /** Every Java block of the markdown file {@code path}, named relative to {@code root}. */
    static List<ReadmeBlock> read(Path root, Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String file = root.relativize(path).toString().replace('\\', '/');
        List<ReadmeBlock> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String fence = lines.get(i).strip();
            if (!fence.equals("```java")) {
                continue;
            }
            int indent = lines.get(i).indexOf('`');
            StringBuilder code = new StringBuilder();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).strip().equals("```")) {
                String l = lines.get(j);
                code.append(l.length() >= indent && l.substring(0, indent).isBlank() ? l.substring(indent) : l.strip())
                        .append('\n');
                j++;
            }
            if (j == lines.size()) {
                throw new IllegalStateException(file + ":" + (i + 1) + ": a ```java block is never closed");
            }
            String ranks = commentAbove(lines, i);
            ranks = ranks.startsWith(RANKS) ? ranks.substring(RANKS.length(), ranks.lastIndexOf("-->")).strip() : "";
            blocks.add(new ReadmeBlock(file, i + 1, code.toString(), setupAbove(lines, i), ranks));
            i = j;
        }
        return blocks;
    }

    /** The one-line HTML comment right above line {@code fence}, stripped, or empty. */
    private static String commentAbove(List<String> lines, int fence) {
        int k = fence - 1;
        while (k >= 0 && lines.get(k).isBlank()) {
            k--;
        }
        String l = k < 0 ? "" : lines.get(k).strip();
        return l.startsWith("<!--") && l.endsWith("-->") ? l : "";
    }

    /** The statements of an {@code <!-- example ... -->} comment that ends right above line {@code fence}. */
    private static String setupAbove(List<String> lines, int fence) {
        int k = fence - 1;
        while (k >= 0 && lines.get(k).isBlank()) {
            k--;
        }
        if (k < 0 || !lines.get(k).strip().endsWith("-->")) {
            return "";
        }
        int end = k;
        while (k >= 0 && !lines.get(k).strip().startsWith("<!--")) {
            k--;
        }
        if (k < 0 || !lines.get(k).strip().startsWith("<!-- example")) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int m = k; m <= end; m++) {
            String l = lines.get(m);
            if (m == k) {
                l = l.strip().substring("<!-- example".length());
            }
            if (m == end) {
                l = l.substring(0, l.lastIndexOf("-->"));
            }
            sb.append(l).append('\n');
        }
        return sb.toString();
    }
}
