package dev.descent.distributed;

import dev.descent.core.Check;
import java.time.Duration;
import java.util.Map;

/**
 * Where and as whom a process joins its group: the rendezvous host and port (rank 0 serves a
 * small key-value store there, as PyTorch's TCPStore), this process's rank, the world size, the
 * rank on this machine, and the timeout of joining and of every collective.
 *
 * <p>{@link #fromEnvironment()} reads the variables that torchrun, {@code descent launch} and the
 * Kubernetes training operators set: {@code MASTER_ADDR}, {@code MASTER_PORT}, {@code RANK},
 * {@code WORLD_SIZE}, {@code LOCAL_RANK} and {@code LOCAL_WORLD_SIZE}; under Slurm, whose
 * {@code srun} sets {@code SLURM_PROCID}, {@code SLURM_NTASKS} and {@code SLURM_LOCALID}, those
 * stand in for the last ones (the job script still exports {@code MASTER_ADDR} and
 * {@code MASTER_PORT}). {@code DESCENT_COLLECTIVE_TIMEOUT} sets the timeout in seconds.
 *
 * @param masterAddress the host rank 0 runs on, reachable from every rank
 * @param masterPort the port of the rendezvous store on it
 * @param rank this process, from 0
 * @param worldSize the processes in the group
 * @param localRank this process among those on its machine (its GPU, say)
 * @param timeout how long joining, and each collective, may take before every rank gives up
 */
public record Rendezvous(String masterAddress, int masterPort, int rank, int worldSize, int localRank,
        Duration timeout) {

    /** The default timeout, as PyTorch's: 5 minutes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    public Rendezvous {
        String op = "Rendezvous";
        Check.argument(masterAddress != null && !masterAddress.isBlank(), op, "expected a master address, got '%s'",
                masterAddress);
        Check.argument(masterPort >= 1 && masterPort <= 65535, op, "expected a master port from 1 to 65535, got %d",
                masterPort);
        Check.argument(worldSize >= 1, op, "expected a world size >= 1, got %d", worldSize);
        Check.argument(rank >= 0 && rank < worldSize, op, "expected a rank from 0 to %d (world size %d), got %d",
                worldSize - 1, worldSize, rank);
        Check.argument(localRank >= 0, op, "expected a local rank >= 0, got %d", localRank);
        Check.argument(timeout != null && !timeout.isNegative() && !timeout.isZero(), op,
                "expected a positive timeout, got %s", timeout);
    }

    /** Whether the environment asks for a distributed run: {@code WORLD_SIZE} (or Slurm's task count) is set. */
    public static boolean inEnvironment() {
        return inEnvironment(System.getenv());
    }

    static boolean inEnvironment(Map<String, String> env) {
        return env.containsKey("WORLD_SIZE") || env.containsKey("SLURM_NTASKS") && env.containsKey("MASTER_ADDR");
    }

    /**
     * The rendezvous the environment describes.
     *
     * @throws IllegalArgumentException naming a variable that is missing or malformed
     */
    public static Rendezvous fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** {@link #fromEnvironment()} over the given variables. */
    public static Rendezvous fromEnvironment(Map<String, String> env) {
        int world = integer(env, "WORLD_SIZE", "SLURM_NTASKS", null);
        int rank = integer(env, "RANK", "SLURM_PROCID", null);
        int local = integer(env, "LOCAL_RANK", "SLURM_LOCALID", 0);
        String address = env.get("MASTER_ADDR");
        Check.argument(address != null && !address.isBlank(), "Rendezvous",
                "MASTER_ADDR is not set: export the address of the machine rank 0 runs on (torchrun and "
                        + "'descent launch' set it)");
        int port = integer(env, "MASTER_PORT", null, null);
        Duration timeout = DEFAULT_TIMEOUT;
        String t = env.get("DESCENT_COLLECTIVE_TIMEOUT");
        if (t != null) {
            double seconds = number("DESCENT_COLLECTIVE_TIMEOUT", t);
            Check.argument(seconds > 0 && seconds < 1e9, "Rendezvous",
                    "DESCENT_COLLECTIVE_TIMEOUT: expected seconds > 0, got %s", t);
            timeout = Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
        }
        return new Rendezvous(address.trim(), port, rank, world, local, timeout);
    }

    /** This rendezvous with another timeout. */
    public Rendezvous withTimeout(Duration newTimeout) {
        return new Rendezvous(masterAddress, masterPort, rank, worldSize, localRank, newTimeout);
    }

    private static int integer(Map<String, String> env, String name, String slurmName, Integer fallback) {
        String v = env.get(name);
        String from = name;
        if (v == null && slurmName != null) {
            v = env.get(slurmName);
            from = slurmName;
        }
        if (v == null) {
            Check.argument(fallback != null, "Rendezvous", "%s is not set%s (torchrun and 'descent launch' set it)",
                    name, slurmName == null ? "" : " (nor Slurm's " + slurmName + ")");
            return fallback;
        }
        double d = number(from, v);
        Check.argument(d == Math.rint(d) && Math.abs(d) < Integer.MAX_VALUE, "Rendezvous",
                "%s: expected an integer, got '%s'", from, v);
        return (int) d;
    }

    private static double number(String name, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw Check.fail("Rendezvous", "%s: expected a number, got '%s'", name, v);
        }
    }
}
