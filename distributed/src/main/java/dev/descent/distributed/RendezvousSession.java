package dev.descent.distributed;

import dev.descent.distributed.spi.KeyValueStore;
import dev.descent.distributed.store.StoreClient;
import dev.descent.distributed.store.StoreServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Set;

/**
 * This process's place in a rendezvous: its connection to the store and, on rank 0, the store
 * itself. Groups made over one rendezvous share it (each with its own keys); the last to close
 * says goodbye, and rank 0 then keeps the store up until every rank has left, so that no rank
 * loses it while still closing.
 */
final class RendezvousSession {
    private final Rendezvous rendezvous;
    private final StoreServer server;
    private final StoreClient client;
    private int groupsMade;
    private int users;

    private RendezvousSession(Rendezvous rendezvous, StoreServer server, StoreClient client) {
        this.rendezvous = rendezvous;
        this.server = server;
        this.client = client;
    }

    /** Joins {@code r}: rank 0 serves the store on its port first, then every rank connects. */
    static RendezvousSession join(Rendezvous r) {
        StoreServer server = null;
        if (r.rank() == 0) {
            try {
                server = StoreServer.start(r.masterPort(), r.worldSize());
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        StoreClient client;
        try {
            client = StoreClient.connect(r.masterAddress(), r.masterPort(), r.rank(), r.worldSize(), r.timeout());
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            throw e;
        }
        if (server != null && client.serverId() != server.serverId()) {
            client.close();
            server.close();
            throw new IllegalArgumentException("Rendezvous: MASTER_ADDR " + r.masterAddress() + " does not lead to this "
                    + "machine, where rank 0 runs and serves the rendezvous on port " + r.masterPort()
                    + ": give every rank an address of rank 0's machine");
        }
        return new RendezvousSession(r, server, client);
    }

    Rendezvous rendezvous() {
        return rendezvous;
    }

    StoreClient client() {
        return client;
    }

    synchronized void retain() {
        users++;
    }

    /** A new group's private view of the store: the same prefix on every rank, since groups are made in one order. */
    synchronized KeyValueStore storeForNewGroup(String backend) {
        String prefix = backend + "/" + (groupsMade++) + "/";
        return new KeyValueStore() {
            @Override
            public void set(String key, byte[] value) {
                client.set(prefix + key, value);
            }

            @Override
            public byte[] get(String key, Duration timeout) {
                return client.get(prefix + key, timeout);
            }
        };
    }

    /**
     * One group fewer; the last one leaves the rendezvous. Rank 0 first waits (up to the timeout)
     * for the others to leave, so that none loses the store while it closes or works out why a
     * collective failed; ranks in {@code failed}, which may never leave, are not waited for.
     */
    synchronized void release(Set<Integer> failed) {
        if (--users > 0) {
            return;
        }
        client.close();
        if (server != null) {
            try {
                server.awaitAllGone(rendezvous.timeout(), failed);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                server.close();
            }
        }
    }
}
