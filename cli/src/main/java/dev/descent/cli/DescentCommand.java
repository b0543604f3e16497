package dev.descent.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code descent}: the top-level command; its subcommands do the work. */
@Command(name = "descent", mixinStandardHelpOptions = true, version = "descent 0.1.0-SNAPSHOT",
        description = "Train neural networks with gradient-based optimisers on the CPU or a GPU.",
        subcommands = {TrainCommand.class, SampleCommand.class, ExportCommand.class, LaunchCommand.class,
            LabCommand.class, BenchCommand.class, picocli.CommandLine.HelpCommand.class},
        footer = {"", "Run 'descent train' with no arguments for a first run (two spirals, an MLP, under a minute).",
                "'descent COMMAND --help' lists a command's options."})
public final class DescentCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
