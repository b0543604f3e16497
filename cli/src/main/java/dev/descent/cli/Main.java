package dev.descent.cli;

import picocli.CommandLine;

/** The {@code descent} command's entry point. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Charts are drawn off-screen, also where there is no display.
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status (see {@link ExitCodes}). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line: one-line errors, no stack traces. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new DescentCommand());
        cl.setParameterExceptionHandler(new OneLineErrors());
        cl.setExecutionExceptionHandler(new OneLineErrors());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // everything after the command a rank runs is that command's
        cl.getSubcommands().get("launch").setStopAtPositional(true);
        return cl;
    }
}
