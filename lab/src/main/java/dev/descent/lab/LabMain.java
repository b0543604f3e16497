package dev.descent.lab;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code LabMain [<experiment> [--out DIR] [--key value ...]]}: without an experiment, lists
 * them; {@code <experiment> --help} lists its options. The output folder defaults to
 * {@code lab-out/<experiment>}.
 */
public final class LabMain {
    private LabMain() {
    }

    public static void main(String[] args) throws Exception {
        Lab lab = Lab.standard();
        try {
            if (args.length == 0) {
                System.out.print("experiments (run one with: <experiment> [--out DIR] [--key value ...]):\n"
                        + lab.listing());
                return;
            }
            String name = args[0];
            if (Arrays.asList(args).contains("--help")) {
                System.out.print(lab.help(name));
                return;
            }
            Path out = Path.of("lab-out", name);
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = 1; i < args.length; i += 2) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --key value pairs after the experiment name, got '"
                            + String.join(" ", Arrays.copyOfRange(args, i, args.length)) + "'");
                }
                String key = args[i].substring(2);
                if (key.equals("out")) {
                    out = Path.of(args[i + 1]);
                } else {
                    options.put(key, args[i + 1]);
                }
            }
            LabResult result = lab.run(name, options, out);
            System.out.println(name + " -> " + out.toAbsolutePath());
            System.out.println(result.summary());
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }
}
