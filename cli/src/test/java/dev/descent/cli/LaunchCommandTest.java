package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.cli.TrainCommandTest.Outcome;
import dev.descent.distributed.RankRun;
import dev.descent.train.checkpoint.CheckpointFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent launch}: two processes train as one; a rank killed mid-run stops the run with a
 * status and a message that name it and leaves the last checkpoint whole; on two "machines"
 * (two launchers) the survivor finds the failure itself.
 */
class LaunchCommandTest {
    @TempDir
    Path dir;

    @BeforeEach
    void glooIsHere() {
        RankRun.assumeGloo();
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static final String[] RUN = {"train", "--progress", "plain", "--epochs", "2", "--batch-size", "32",
        "--model", "mlp:32,32", "--threads", "1"};

    @Test
    void twoProcessesTrainAsOneWithTheWholeBatch() throws IOException {
        Path one = dir.resolve("one");
        Path two = dir.resolve("two");
        Outcome single = TrainCommandTest.descent(concat(RUN, "--out", one.toString()));
        assertEquals(ExitCodes.OK, single.status(), single.err());
        Outcome launched = TrainCommandTest.descent(concat(new String[] {"launch", "--nproc", "2", "--master",
            "127.0.0.1:" + RankRun.freePort(), "--timeout", "60"}, concat(RUN, "--out", two.toString())));
        assertEquals(ExitCodes.OK, launched.status(), launched.out() + launched.err());
        assertTrue(launched.out().contains("[rank 0] training mlp:32,32 on spirals"), launched.out());
        assertTrue(launched.out().contains("2 processes (gloo)"), launched.out());
        assertFalse(launched.out().contains("[rank 1]"), "rank 1 is quiet: " + launched.out());

        JsonNode a = new ObjectMapper().readTree(one.resolve("summary.json").toFile());
        JsonNode b = new ObjectMapper().readTree(two.resolve("summary.json").toFile());
        assertEquals(2, b.get("config").get("world_size").asInt());
        assertEquals(a.get("steps").asInt(), b.get("steps").asInt());
        // float32 over 126 steps: the runs differ by rounding only (train's EquivalenceTest bounds it)
        for (String k : List.of("train_loss", "test_loss")) {
            double x = a.get("final").get(k).asDouble();
            double y = b.get("final").get(k).asDouble();
            assertEquals(x, y, 1e-4 * Math.abs(x), k);
        }
    }

    @Test
    void aRankKilledMidRunStopsTheRunNamingItAndLeavesTheCheckpointWhole() throws Exception {
        Path out = dir.resolve("killed");
        String[] args = concat(new String[] {"launch", "--nproc", "2", "--master", "127.0.0.1:" + RankRun.freePort(),
            "--timeout", "60"}, "train", "--progress", "plain", "--epochs", "200", "--batch-size", "32", "--model",
            "mlp:32,32", "--checkpoint-every", "7", "--out", out.toString());
        CompletableFuture<Outcome> run = CompletableFuture.supplyAsync(() -> TrainCommandTest.descent(args));
        Path ckpt = out.resolve(TrainCommand.CHECKPOINT);
        waitFor(() -> Files.isRegularFile(ckpt), run);
        Thread.sleep(300);   // into some step after the first checkpoint
        ProcessHandle rank1 = rank(1).orElseThrow(() -> new AssertionError("rank 1 not found"));
        rank1.destroyForcibly();
        Outcome o = run.get();
        System.out.println("the launcher's errors:\n" + o.err());
        assertEquals(137, o.status(), o.err());
        assertTrue(o.err().contains("descent launch: rank 1 exited with status 137 (killed by signal 9); the other "
                + "ranks on this node were stopped"), o.err());
        CheckpointFile.read(ckpt);   // sizes and CRC-32s verified, every part parsed
        // and the run goes on from it (here in one process: the checkpoint does not depend on the world size)
        Outcome resumed = TrainCommandTest.descent("train", "--progress", "plain", "--epochs", "1", "--batch-size",
                "32", "--model", "mlp:32,32", "--checkpoint-every", "7", "--out", out.toString(), "--resume");
        assertEquals(ExitCodes.OK, resumed.status(), resumed.err());
    }

    /** Two launchers, as on two machines: killing node 1's rank, node 0's rank must find out by itself. */
    @Test
    void onTwoNodesTheSurvivorNamesTheRankThatDied() throws Exception {
        Path out = dir.resolve("nodes");
        String master = "127.0.0.1:" + RankRun.freePort();
        List<CompletableFuture<Outcome>> nodes = new ArrayList<>();
        for (int node = 0; node < 2; node++) {
            String[] args = concat(new String[] {"launch", "--nproc", "1", "--nnodes", "2", "--node-rank",
                Integer.toString(node), "--master", master, "--timeout", "300"}, "train", "--progress", "plain",
                "--epochs", "200", "--batch-size", "32", "--model", "mlp:32,32", "--out", out.toString());
            nodes.add(CompletableFuture.supplyAsync(() -> TrainCommandTest.descent(args)));
        }
        waitFor(() -> Files.isRegularFile(out.resolve("steps.csv")), nodes.get(0));
        Thread.sleep(300);
        rank(1).orElseThrow(() -> new AssertionError("rank 1 not found")).destroyForcibly();
        Outcome node0 = nodes.get(0).get();   // a 300 s timeout: only noticing the exit ends this soon
        Outcome node1 = nodes.get(1).get();
        System.out.println("node 0's errors:\n" + node0.err() + "node 1's errors:\n" + node1.err());
        assertEquals(137, node1.status(), node1.err());
        assertEquals(ExitCodes.FAILED, node0.status(), node0.err());
        assertTrue(node0.err().contains("[rank 0] descent train: rank 0: allReduce #"), node0.err());
        assertTrue(node0.err().contains("failed: rank 1 exited"), node0.err());
        assertTrue(node0.err().contains("descent launch: rank 0 exited with status 1"), node0.err());
    }

    private static Optional<ProcessHandle> rank(int r) {
        String mark = "-Ddescent.launch.rank=" + r;
        return ProcessHandle.current().descendants().filter(p -> arguments(p).contains(mark)).findFirst();
    }

    /**
     * A process's arguments from {@code /proc/PID/cmdline}: {@code ProcessHandle.Info.arguments()}
     * is empty once a command line passes 4 KiB, as a rank's does with the test class path.
     */
    private static List<String> arguments(ProcessHandle p) {
        try {
            byte[] line = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            return Arrays.asList(new String(line, java.nio.charset.StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | RuntimeException gone) {
            return p.info().arguments().map(Arrays::asList).orElse(List.of());
        }
    }

    private interface Condition {
        boolean holds() throws IOException;
    }

    private static void waitFor(Condition c, CompletableFuture<?> run) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!c.holds()) {
            if (run.isDone()) {
                throw new AssertionError("the run ended first: " + run.get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting");
            }
            Thread.sleep(20);
        }
    }
}
