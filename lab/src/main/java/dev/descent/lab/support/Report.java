package dev.descent.lab.support;

import dev.descent.lab.Format;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Markdown report of a run: a title, the options used, paragraphs, tables, figures, and
 * the headline numbers (also returned by the run).
 */
public final class Report {
    private final StringBuilder body = new StringBuilder();
    private final Map<String, Double> headline = new LinkedHashMap<>();
    private final String title;

    public Report(String title, Map<String, String> options) {
        this.title = title;
        body.append("Options: ");
        options.forEach((k, v) -> body.append("`--").append(k).append(' ').append(v).append("` "));
        body.append("\n\n");
    }

    public Report paragraph(String text) {
        body.append(text).append("\n\n");
        return this;
    }

    public Report table(List<String> header, List<List<String>> rows) {
        body.append("| ").append(String.join(" | ", header)).append(" |\n|");
        body.append(" --- |".repeat(header.size())).append('\n');
        for (List<String> r : rows) {
            body.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        body.append('\n');
        return this;
    }

    public Report figure(String file, String caption) {
        body.append("![").append(caption).append("](").append(file).append(")\n\n");
        return this;
    }

    public Report headline(String key, double value) {
        headline.put(key, value);
        return this;
    }

    public Map<String, Double> headline() {
        return headline;
    }

    public Path write(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        sb.append("## Headline\n\n");
        headline.forEach((k, v) -> sb.append("- ").append(k).append(" = ").append(Format.number(v)).append('\n'));
        sb.append('\n').append(body);
        Path file = dir.resolve("report.md");
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        return file;
    }
}
