package dev.descent.distributed;

import dev.descent.core.spi.Backend;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.distributed.launch.JavaCommand;
import dev.descent.distributed.launch.Launcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Runs a test program as the ranks of a group, each in its own JVM on this machine, and keeps their
 * output. Shared with the train and cli modules' tests through this module's test jar.
 */
public final class RankRun {
    /**
     * Skips the calling test, saying why, when Gloo cannot run here; fails it instead when
     * {@code DESCENT_REQUIRE_NATIVE} is set (as {@code .ci/run} sets it), so that CI never skips
     * the multi-process tests quietly.
     */
    private static boolean skipSaid;

    public static void assumeGloo() {
        Backend.Availability a = ProcessGroups.installed().get("gloo").availability();
        if (!a.available() && System.getenv("DESCENT_REQUIRE_NATIVE") != null) {
            throw new AssertionError("DESCENT_REQUIRE_NATIVE is set, but Gloo cannot run here: " + a.reason());
        }
        if (!a.available() && !skipSaid) {
            skipSaid = true;
            System.out.println("skipping the tests that need Gloo: " + a.reason());
        }
        assumeTrue(a.available(), "skipped: " + a.reason());
    }

    /** The options of a rank that trains: a small heap, quick compilation, one compute thread. */
    public static final List<String> ONE_THREAD_JVM = List.of("-Xmx384m", "-XX:TieredStopAtLevel=1",
            "-Ddescent.cpu.threads=1");

    public final Launcher.Result result;
    public final String out;
    public final String err;

    private RankRun(Launcher.Result result, String out, String err) {
        this.result = result;
        this.out = out;
        this.err = err;
    }

    public static RankRun of(int worldSize, Map<String, String> env, Class<?> main, String... args) {
        return of(worldSize, env, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), main, args);
    }

    public static RankRun of(int worldSize, Map<String, String> env, List<String> jvm, Class<?> main,
            String... args) {
        return of(worldSize, env, jvm, true, main, args);
    }

    /** The ranks run on after one fails: each must find the failure itself. */
    static RankRun eachOnItsOwn(int worldSize, Map<String, String> env, Class<?> main, String... args) {
        return of(worldSize, env, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), false, main, args);
    }

    private static RankRun of(int worldSize, Map<String, String> env, List<String> jvm, boolean stopOthers,
            Class<?> main, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try (PrintWriter out = new PrintWriter(new OutputStreamWriter(o, StandardCharsets.UTF_8), true);
             PrintWriter err = new PrintWriter(new OutputStreamWriter(e, StandardCharsets.UTF_8), true)) {
            Launcher l = new Launcher(worldSize, 1, 0, "127.0.0.1", freePort(), env,
                    local -> JavaCommand.of(jvm, main.getName(), List.of(args)));
            if (!stopOthers) {
                l.keepOthersRunning();
            }
            Launcher.Result r = l.run(out, err);
            out.flush();
            err.flush();
            return new RankRun(r, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** A port free now (a moment later another process may take it; tests live with that). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything the ranks printed, for assertion messages. */
    public String transcript() {
        return result.message() + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
