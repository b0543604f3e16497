package dev.descent.cli;

import dev.descent.distributed.launch.JavaCommand;
import dev.descent.distributed.launch.Launcher;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code descent launch}: starts this machine's ranks of a data-parallel run, one JVM each, as
 * torchrun does (see {@link Launcher}), each running a {@code descent} command with the
 * rendezvous variables set.
 */
@Command(name = "launch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Starts N processes on this machine, each running a descent command (train ...) as one rank of "
                + "a data-parallel run, like torchrun: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE and LOCAL_RANK are set "
                + "for each. Their output comes prefixed with [rank R]; when one fails, the others are stopped.",
                "On several machines, run it on each with the same --nnodes and --master (rank 0's machine) and its own "
                        + "--node-rank."},
        footer = {"", "Examples:", "  descent launch --nproc 2 train --threads 1",
                "  descent launch --nproc 1 --nnodes 2 --node-rank 0 --master 10.0.0.1:29500 train --out runs/x   "
                        + "(on 10.0.0.1)",
                "  descent launch --nproc 1 --nnodes 2 --node-rank 1 --master 10.0.0.1:29500 train --out runs/x   "
                        + "(on the other machine)", "",
                "Exit status: 0 when every rank succeeded, else the status of the rank that failed first."})
public final class LaunchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nproc", paramLabel = "N", required = true, description = "processes on this machine (one per "
            + "device)")
    int processes;

    @Option(names = "--nnodes", paramLabel = "M", defaultValue = "1", description = "machines (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--node-rank", paramLabel = "R", defaultValue = "0",
            description = "this machine, from 0; node 0 runs rank 0 (default: ${DEFAULT-VALUE})")
    int nodeRank;

    @Option(names = "--master", paramLabel = "HOST:PORT",
            description = "rank 0's machine, reachable from every machine, and a free port there (default on one "
                    + "machine: 127.0.0.1:29500)")
    String master;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "how long joining and each collective may take before every rank gives up (default: 300)")
    Double timeout;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "the descent command each rank runs, e.g. train ...")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        require(processes >= 1, "--nproc: expected at least 1, got " + processes);
        require(nodes >= 1, "--nnodes: expected at least 1, got " + nodes);
        require(nodeRank >= 0 && nodeRank < nodes, "--node-rank: expected 0 to " + (nodes - 1) + ", got " + nodeRank);
        require(master != null || nodes == 1, "--master: give HOST:PORT of node 0 when running on " + nodes
                + " machines");
        require(timeout == null || timeout > 0 && timeout < 1e9, "--timeout: expected seconds > 0, got " + timeout);
        require(!command.get(0).equals("launch"), "launch: the command to run is launch itself");
        String hostPort = master == null ? "127.0.0.1:29500" : master;
        int colon = hostPort.lastIndexOf(':');
        require(colon > 0 && colon < hostPort.length() - 1, "--master: expected HOST:PORT, got '" + hostPort + "'");
        String host = hostPort.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UserError("--master: expected a port number after ':', got '" + hostPort + "'");
        }
        require(port >= 1 && port <= 65535, "--master: expected a port from 1 to 65535, got " + port);

        Map<String, String> env = new HashMap<>();
        if (timeout != null) {
            env.put("DESCENT_COLLECTIVE_TIMEOUT", Double.toString(timeout));
        }
        List<String> jvm = jvmOptions();
        Launcher launcher = new Launcher(processes, nodes, nodeRank, host, port, env, local -> {
            List<String> options = new ArrayList<>(jvm);
            // names the rank in ps and in /proc (its variables are not shown there)
            options.add("-Ddescent.launch.rank=" + (nodeRank * processes + local));
            return JavaCommand.of(options, Main.class.getName(), command);
        });
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Launcher.Result r = launcher.run(out, err);
        if (r.failedRank() >= 0) {
            err.println("descent launch: " + r.message());
        }
        out.flush();
        err.flush();
        return r.exitCode();
    }

    /**
     * This JVM's options for the ranks (heap size, system properties), less debugging agents;
     * and, unless threads were chosen, the CPU's cores shared out so that the ranks do not
     * oversubscribe it (torchrun sets OMP_NUM_THREADS=1 for the same reason).
     */
    private List<String> jvmOptions() {
        List<String> jvm = new ArrayList<>();
        boolean threadsChosen = command.contains("--threads");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib") || a.startsWith("-javaagent") || a.startsWith("-Xrunjdwp")
                    || a.startsWith("-Ddescent.launch.rank=")) {
                continue;
            }
            threadsChosen |= a.startsWith("-Ddescent.cpu.threads=");
            jvm.add(a);
        }
        if (!threadsChosen) {
            int cores = Runtime.getRuntime().availableProcessors();
            jvm.add("-Ddescent.cpu.threads=" + Math.max(1, cores / processes));
        }
        return jvm;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }
}
