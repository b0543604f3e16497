package dev.descent.distributed.launch;

import dev.descent.core.Check;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Starts this machine's ranks of a group, one process each, as torchrun does: each gets
 * {@code MASTER_ADDR}, {@code MASTER_PORT}, {@code RANK} (node rank × processes per node +
 * local rank), {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code LOCAL_WORLD_SIZE} and
 * {@code GROUP_RANK} (the node's rank). Their output comes through line by line, each line
 * prefixed with {@code [rank R]}. When one exits with a failure, the others are stopped
 * (SIGTERM, then SIGKILL after a grace period) and the result names it.
 */
public final class Launcher {
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final int processes;
    private final int nodes;
    private final int nodeRank;
    private final String masterAddress;
    private final int masterPort;
    private final Map<String, String> extraEnvironment;
    private final IntFunction<List<String>> command;
    private boolean stopOthersOnFailure = true;

    /**
     * @param processes ranks on this machine
     * @param nodes machines
     * @param nodeRank this machine, from 0
     * @param masterAddress the host of rank 0 (on node 0)
     * @param masterPort the rendezvous port there
     * @param extraEnvironment more variables for every rank
     * @param command the command line of local rank r
     */
    public Launcher(int processes, int nodes, int nodeRank, String masterAddress, int masterPort,
            Map<String, String> extraEnvironment, IntFunction<List<String>> command) {
        String op = "launch";
        Check.argument(processes >= 1, op, "expected at least 1 process per node, got %d", processes);
        Check.argument(nodes >= 1, op, "expected at least 1 node, got %d", nodes);
        Check.argument(nodeRank >= 0 && nodeRank < nodes, op, "expected a node rank from 0 to %d, got %d", nodes - 1,
                nodeRank);
        Check.argument(masterPort >= 1 && masterPort <= 65535, op, "expected a port from 1 to 65535, got %d",
                masterPort);
        this.processes = processes;
        this.nodes = nodes;
        this.nodeRank = nodeRank;
        this.masterAddress = masterAddress;
        this.masterPort = masterPort;
        this.extraEnvironment = Map.copyOf(extraEnvironment);
        this.command = command;
    }

    /**
     * How the ranks ended.
     *
     * @param exitCodes each local rank's exit status (-1: never started)
     * @param failedRank the global rank that failed first, or -1 when every rank succeeded
     * @param failedStatus its exit status
     * @param message one line saying what happened
     */
    public record Result(int[] exitCodes, int failedRank, int failedStatus, String message) {
        /** 0 when every rank succeeded, else the status of the rank that failed first. */
        public int exitCode() {
            return failedRank < 0 ? 0 : failedStatus;
        }
    }

    /**
     * Lets the other ranks run on when one fails, so that each finds the failure itself (as it
     * must when the failed rank is on another machine); for tests of that.
     */
    public Launcher keepOthersRunning() {
        stopOthersOnFailure = false;
        return this;
    }

    /** The global rank of local rank {@code local}. */
    public int globalRank(int local) {
        return nodeRank * processes + local;
    }

    /** Starts every local rank, forwards their output, and waits for them. */
    public Result run(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        List<Process> started = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        // a launcher stopped by a signal stops its ranks too
        Thread onSignal = new Thread(() -> started.forEach(Process::destroy), "descent-launch-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            for (int local = 0; local < processes; local++) {
                ProcessBuilder pb = new ProcessBuilder(command.apply(local));
                Map<String, String> env = pb.environment();
                env.putAll(extraEnvironment);
                env.put("MASTER_ADDR", masterAddress);
                env.put("MASTER_PORT", Integer.toString(masterPort));
                env.put("RANK", Integer.toString(globalRank(local)));
                env.put("WORLD_SIZE", Integer.toString(processes * nodes));
                env.put("LOCAL_RANK", Integer.toString(local));
                env.put("LOCAL_WORLD_SIZE", Integer.toString(processes));
                env.put("GROUP_RANK", Integer.toString(nodeRank));
                Process p = pb.start();
                started.add(p);
                String prefix = "[rank " + globalRank(local) + "] ";
                pumps.add(pump(p.getInputStream(), out, prefix));
                pumps.add(pump(p.getErrorStream(), err, prefix));
            }
            return await(started, pumps);
        } finally {
            for (Process p : started) {
                p.destroyForcibly();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it stops the ranks
            }
        }
    }

    /** Waits for every rank, or for the first failure (in the order the processes ended), then stops the rest. */
    private Result await(List<Process> ps, List<Thread> pumps) throws InterruptedException {
        int[] codes = new int[ps.size()];
        Arrays.fill(codes, -1);
        BlockingQueue<Integer> ended = new LinkedBlockingQueue<>();
        for (int i = 0; i < ps.size(); i++) {
            int local = i;
            ps.get(i).onExit().thenRun(() -> ended.add(local));
        }
        int failedLocal = -1;
        for (int n = 0; n < ps.size() && (failedLocal < 0 || !stopOthersOnFailure); n++) {
            int i = ended.take();
            codes[i] = ps.get(i).waitFor();
            if (codes[i] != 0 && failedLocal < 0) {
                failedLocal = i;
            }
        }
        if (failedLocal >= 0 && stopOthersOnFailure) {
            stopOthers(ps, codes);
        }
        for (Thread t : pumps) {
            t.join(2_000);
        }
        if (failedLocal < 0) {
            return new Result(codes, -1, 0, "all " + ps.size() + " rank(s) finished");
        }
        int failed = globalRank(failedLocal);
        int status = codes[failedLocal];
        String how = status > 128 ? "status " + status + " (killed by signal " + (status - 128) + ")"
                : "status " + status;
        return new Result(codes, failed, status, "rank " + failed + " exited with " + how
                + (ps.size() > 1 && stopOthersOnFailure ? "; the other ranks on this node were stopped" : ""));
    }

    private static void stopOthers(List<Process> ps, int[] codes) throws InterruptedException {
        for (int i = 0; i < ps.size(); i++) {
            if (codes[i] < 0) {
                ps.get(i).destroy();
            }
        }
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (int i = 0; i < ps.size(); i++) {
            if (codes[i] >= 0) {
                continue;
            }
            Process p = ps.get(i);
            long left = Math.max(0, deadline - System.nanoTime());
            if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
            codes[i] = p.exitValue();
        }
    }

    private static Thread pump(InputStream in, PrintWriter to, String prefix) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (to) {
                        to.println(prefix + line);
                        to.flush();
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "descent-launch-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
