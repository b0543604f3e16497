package dev.descent.distributed;

import dev.descent.core.BackendUnavailableException;
import dev.descent.core.Check;
import dev.descent.core.Device;
import dev.descent.core.spi.Backend;
import dev.descent.distributed.spi.CollectiveBackend;
import dev.descent.distributed.spi.Collectives;
import dev.descent.distributed.spi.Membership;
import dev.descent.distributed.store.StoreException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.ServiceLoader;

/**
 * Finds collective backends with {@link ServiceLoader} (as {@code Backends} finds compute
 * backends) and makes {@link ProcessGroup}s:
 *
 * <pre>{@code
 * try (ProcessGroup group = ProcessGroups.init("gloo", Rendezvous.fromEnvironment())) {
 *     group.allReduce(gradients, ReduceOp.AVERAGE);
 * }
 * }</pre>
 */
public final class ProcessGroups {
    private static final Map<String, CollectiveBackend> FOUND = discover();

    private ProcessGroups() {
    }

    private static Map<String, CollectiveBackend> discover() {
        Map<String, CollectiveBackend> found = new LinkedHashMap<>();
        for (CollectiveBackend b : ServiceLoader.load(CollectiveBackend.class, ProcessGroups.class.getClassLoader())) {
            found.putIfAbsent(b.name(), b);
        }
        return Map.copyOf(found);
    }

    /** Every collective backend on the class path, available or not, by name. */
    public static Map<String, CollectiveBackend> installed() {
        return FOUND;
    }

    /**
     * The collective backend of that name, ready to use.
     *
     * @throws BackendUnavailableException when none of that name is installed, or its library is
     *     missing here; the message says what to install
     */
    public static CollectiveBackend get(String name) {
        CollectiveBackend b = FOUND.get(name);
        if (b == null) {
            throw new BackendUnavailableException("collective backend '" + name + "' is not installed (installed: "
                    + FOUND.keySet() + ")");
        }
        Backend.Availability a = b.availability();
        if (!a.available()) {
            throw new BackendUnavailableException("collective backend '" + name + "' cannot run here: " + a.reason());
        }
        return b;
    }

    /** The collective backend for tensors of a compute backend: {@code gloo} for {@code cpu}, {@code nccl} for {@code cuda}. */
    public static String forComputeBackend(String computeBackend) {
        return switch (computeBackend) {
            case "cpu" -> "gloo";
            case "cuda" -> "nccl";
            default -> throw Check.fail("ProcessGroups", "no collective backend for the compute backend '%s' "
                    + "(cpu: gloo, cuda: nccl)", computeBackend);
        };
    }

    /**
     * Joins the group {@code r} describes with the collective backend {@code name}; every rank
     * calls it at once. Rank 0 serves the rendezvous store on {@code r.masterPort()}.
     *
     * @throws BackendUnavailableException before touching the network, when the backend cannot run here
     * @throws CollectiveException when a rank does not join within the timeout, or exits meanwhile (named)
     */
    public static ProcessGroup init(String name, Rendezvous r) {
        Check.argument(r != null, "ProcessGroups.init", "expected a rendezvous, got null");
        CollectiveBackend backend = get(name);
        RendezvousSession session;
        try {
            session = RendezvousSession.join(r);
        } catch (StoreException e) {
            throw new CollectiveException("rank " + r.rank() + ": joining the group failed: " + e.getMessage(),
                    e.failedRank() >= 0 ? List.of(e.failedRank()) : List.of(), e);
        }
        return init(backend, session);
    }

    /**
     * Joins a second group over the rendezvous of {@code sharing} (its store, its ranks): an
     * {@code nccl} group beside a {@code gloo} one, say. NCCL's unique id then travels through it.
     */
    public static ProcessGroup init(String name, ProcessGroup sharing) {
        Check.argument(sharing != null, "ProcessGroups.init", "expected a group to share, got null");
        return init(get(name), sharing.session());
    }

    private static ProcessGroup init(CollectiveBackend backend, RendezvousSession session) {
        Rendezvous r = session.rendezvous();
        Device device = backend.device(r.localRank());
        session.retain();
        Collectives c;
        try {
            c = backend.connect(new Membership(r.rank(), r.worldSize(), device, r.timeout(),
                    session.storeForNewGroup(backend.name()), session.client().localAddress()));
        } catch (RuntimeException e) {
            CollectiveException failure = e instanceof CollectiveException ce ? ce
                    : FailureDiagnosis.diagnose(session.client(), r.rank(), "joining the " + backend.name() + " group",
                            0, e);
            session.release(Set.copyOf(failure.failedRanks()));
            throw failure;
        }
        return new ProcessGroup(backend.name(), c, session, device);
    }
}
