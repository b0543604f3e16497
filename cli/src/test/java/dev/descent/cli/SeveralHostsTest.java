package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.cli.TrainCommandTest.Outcome;
import dev.descent.distributed.RankRun;
import dev.descent.distributed.launch.JavaCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three machines made on this one: three network namespaces, each with its own address on a
 * bridge in a fourth ({@code ip netns}, veth pairs), so that the ranks reach each other only
 * through those links, as hosts on a network do. One {@code descent launch} per "host" trains
 * one rank; together they end where one process does. Needs root and {@code ip} (CI has both);
 * elsewhere it is skipped, saying why. The namespaces are removed afterwards whatever happens.
 */
class SeveralHostsTest {
    private static final int HOSTS = 3;
    private static final String PREFIX = "dsc" + (ProcessHandle.current().pid() % 100_000);
    private final List<String> namespaces = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void canMakeHosts() throws Exception {
        RankRun.assumeGloo();
        String why = null;
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            why = "the ip command (iproute2) is not installed";
        } else {
            String probe = PREFIX + "p";
            Result r = ip("netns", "add", probe);
            if (r.status != 0) {
                why = "cannot make network namespaces here (needs root): " + r.output.strip();
            } else {
                ip("netns", "del", probe);
            }
        }
        if (why != null && System.getenv("DESCENT_REQUIRE_NATIVE") != null) {
            throw new AssertionError("DESCENT_REQUIRE_NATIVE is set, but " + why);
        }
        if (why != null) {
            System.out.println("skipped (no hosts can be made here): " + why);
        }
        assumeTrue(why == null, "skipped: " + why);
    }

    private record Result(int status, String output) {
    }

    private static Result ip(String... args) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("ip"));
        c.addAll(List.of(args));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    private void must(String... args) throws IOException, InterruptedException {
        Result r = ip(args);
        if (r.status != 0) {
            throw new IllegalStateException("ip " + String.join(" ", args) + ": " + r.output);
        }
    }

    /** Hosts 10.77.0.1 to .3 in namespaces PREFIXh0..h2, their links joined by a bridge in PREFIXsw. */
    private void makeHosts() throws IOException, InterruptedException {
        String sw = PREFIX + "sw";
        must("netns", "add", sw);
        namespaces.add(sw);
        must("-n", sw, "link", "add", "br0", "type", "bridge");
        must("-n", sw, "link", "set", "br0", "up");
        for (int h = 0; h < HOSTS; h++) {
            String ns = PREFIX + "h" + h;
            must("netns", "add", ns);
            namespaces.add(ns);
            String host = PREFIX + "v" + h;
            String port = PREFIX + "s" + h;
            must("link", "add", host, "type", "veth", "peer", "name", port);
            must("link", "set", host, "netns", ns);
            must("link", "set", port, "netns", sw);
            must("-n", sw, "link", "set", port, "master", "br0");
            must("-n", sw, "link", "set", port, "up");
            must("-n", ns, "addr", "add", "10.77.0." + (h + 1) + "/24", "dev", host);
            must("-n", ns, "link", "set", host, "up");
            must("-n", ns, "link", "set", "lo", "up");
        }
    }

    @AfterEach
    void removeHosts() throws IOException, InterruptedException {
        for (String ns : namespaces) {
            ip("netns", "del", ns);   // takes its end of each link, and so the whole link, with it
        }
    }

    private static final String[] RUN = {"train", "--progress", "plain", "--epochs", "2", "--batch-size", "48",
        "--model", "mlp:32,32", "--threads", "1"};

    @Test
    void threeHostsTrainTogetherAsOneProcessDoes() throws Exception {
        makeHosts();
        Path shared = dir.resolve("three-hosts");
        List<Process> nodes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (int h = 0; h < HOSTS; h++) {
                List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", PREFIX + "h" + h));
                List<String> args = new ArrayList<>(List.of("launch", "--nproc", "1", "--nnodes",
                        Integer.toString(HOSTS), "--node-rank", Integer.toString(h), "--master", "10.77.0.1:29500",
                        "--timeout", "60"));
                args.addAll(List.of(RUN));
                args.addAll(List.of("--out", shared.toString()));
                c.addAll(JavaCommand.of(List.of("-Xmx384m"), Main.class.getName(), args));
                Path log = dir.resolve("host" + h + ".log");
                logs.add(log);
                nodes.add(new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
            for (int h = 0; h < HOSTS; h++) {
                boolean ended = nodes.get(h).waitFor(180, TimeUnit.SECONDS);
                String log = Files.readString(logs.get(h));
                assertEquals(true, ended, "host " + h + " did not finish:\n" + log);
                assertEquals(0, nodes.get(h).exitValue(), "host " + h + ":\n" + log);
            }
        } finally {
            nodes.forEach(Process::destroyForcibly);
        }
        System.out.println("host 0's output:\n" + Files.readString(logs.get(0)));
        Path alone = dir.resolve("one-process");
        String[] single = java.util.Arrays.copyOf(RUN, RUN.length + 2);
        single[RUN.length] = "--out";
        single[RUN.length + 1] = alone.toString();
        Outcome o = TrainCommandTest.descent(single);
        assertEquals(ExitCodes.OK, o.status(), o.err());
        JsonNode a = new ObjectMapper().readTree(alone.resolve("summary.json").toFile());
        JsonNode b = new ObjectMapper().readTree(shared.resolve("summary.json").toFile());
        assertEquals(HOSTS, b.get("config").get("world_size").asInt());
        for (String k : List.of("train_loss", "test_loss")) {
            double x = a.get("final").get(k).asDouble();
            assertEquals(x, b.get("final").get(k).asDouble(), 1e-4 * Math.abs(x), k);
        }
    }
}
