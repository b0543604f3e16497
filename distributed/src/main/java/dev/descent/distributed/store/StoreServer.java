package dev.descent.distributed.store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The rendezvous store that rank 0 serves (PyTorch's TCPStore plays this part): a key-value map
 * whose {@code get} waits for its key, counters, and a table of the ranks — which have joined,
 * which left cleanly, which exited without a goodbye (their connection closed), and the
 * collective each entered last. Backends exchange their addresses through it (Gloo's full mesh,
 * NCCL's unique id); a failed collective asks it which rank failed.
 *
 * <p>A thread per connection; the ranks are few. Rendezvous, not a collective protocol: tensor
 * data never passes through it.
 */
public final class StoreServer implements AutoCloseable {
    private final ServerSocket socket;
    private final int worldSize;
    private final long serverId = ThreadLocalRandom.current().nextLong();
    private final Map<String, byte[]> values = new HashMap<>();
    private final Map<String, Long> counters = new HashMap<>();
    private final Rank[] ranks;
    private final List<Socket> connections = new ArrayList<>();
    private volatile boolean closed;

    private static final class Rank {
        boolean joined;
        boolean exited;
        boolean done;
        long sequence;
        String op = "";
        long progressNanos = System.nanoTime();
    }

    private StoreServer(ServerSocket socket, int worldSize) {
        this.socket = socket;
        this.worldSize = worldSize;
        this.ranks = new Rank[worldSize];
        for (int i = 0; i < worldSize; i++) {
            ranks[i] = new Rank();
        }
        Thread accept = new Thread(this::acceptLoop, "descent-store-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /**
     * Serves a store for {@code worldSize} ranks on {@code port} of every interface.
     *
     * @throws IOException naming the port when it is taken
     */
    public static StoreServer start(int port, int worldSize) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(new InetSocketAddress(port), Math.max(50, 2 * worldSize));
        } catch (BindException e) {
            s.close();
            throw new IOException("the rendezvous port " + port + " is in use on this machine (another run, or a "
                    + "server that is still closing): choose another MASTER_PORT (--master HOST:PORT)", e);
        }
        return new StoreServer(s, worldSize);
    }

    /** The port it listens on. */
    public int port() {
        return socket.getLocalPort();
    }

    /** A number drawn at start: a client of this server gets it back from HELLO. */
    public long serverId() {
        return serverId;
    }

    /**
     * Waits until every rank but those in {@code ignoring} has left cleanly or exited, or the time
     * is up; whether they all have.
     */
    public boolean awaitAllGone(Duration timeout, Set<Integer> ignoring) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!allGone(ignoring)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    private boolean allGone(Set<Integer> ignoring) {
        for (int i = 0; i < ranks.length; i++) {
            Rank r = ranks[i];
            if (r.joined && !r.done && !r.exited && !ignoring.contains(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
        synchronized (this) {
            for (Socket c : connections) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing: nothing to do
                }
            }
            notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket c = socket.accept();
                c.setTcpNoDelay(true);
                synchronized (this) {
                    connections.add(c);
                }
                Thread t = new Thread(() -> serve(c), "descent-store-" + c.getRemoteSocketAddress());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    continue;   // one failed accept does not stop the store
                }
            }
        }
    }

    private void serve(Socket c) {
        int rank = -1;
        boolean bye = false;
        try (c; DataInputStream in = new DataInputStream(new BufferedInputStream(c.getInputStream()));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(c.getOutputStream()))) {
            if (in.readByte() != StoreProtocol.HELLO) {
                return;
            }
            rank = hello(in.readInt(), in.readInt(), out);
            if (rank < 0) {
                return;
            }
            while (true) {
                byte op = in.readByte();
                if (op == StoreProtocol.BYE) {
                    bye = true;
                    return;
                }
                handle(op, rank, in, out);
            }
        } catch (EOFException | SocketException e) {
            // the connection closed: below, a rank that said no goodbye is marked as exited
        } catch (IOException | InterruptedException e) {
            // as above
        } finally {
            if (rank >= 0) {
                synchronized (this) {
                    if (bye) {
                        ranks[rank].done = true;
                    } else if (!ranks[rank].done) {
                        ranks[rank].exited = true;
                    }
                    connections.remove(c);
                    notifyAll();
                }
            }
        }
    }

    private int hello(int rank, int world, DataOutputStream out) throws IOException {
        String error = null;
        synchronized (this) {
            if (world != worldSize) {
                error = "rank " + rank + " expects a world size of " + world + ", rank 0 started one of " + worldSize
                        + ": give every process the same WORLD_SIZE";
            } else if (rank < 0 || rank >= worldSize) {
                error = "rank " + rank + " is outside the world of " + worldSize + " (ranks 0 to " + (worldSize - 1) + ")";
            } else if (ranks[rank].joined) {
                error = "rank " + rank + " joined twice: give every process its own RANK";
            } else {
                ranks[rank].joined = true;
                ranks[rank].progressNanos = System.nanoTime();
                notifyAll();
            }
        }
        if (error != null) {
            out.writeByte(StoreProtocol.ERROR);
            out.writeUTF(error);
            out.flush();
            return -1;
        }
        out.writeByte(StoreProtocol.OK);
        out.writeLong(serverId);
        out.flush();
        return rank;
    }

    private void handle(byte op, int rank, DataInputStream in, DataOutputStream out)
            throws IOException, InterruptedException {
        switch (op) {
            case StoreProtocol.SET -> {
                String key = in.readUTF();
                byte[] value = readValue(in);
                synchronized (this) {
                    values.put(key, value);
                    notifyAll();
                }
                out.writeByte(StoreProtocol.OK);
            }
            case StoreProtocol.GET -> get(in.readUTF(), in.readLong(), rank, out);
            case StoreProtocol.ADD -> {
                String key = in.readUTF();
                long delta = in.readLong();
                long now;
                synchronized (this) {
                    now = counters.merge(key, delta, Long::sum);
                    notifyAll();
                }
                out.writeByte(StoreProtocol.LONG);
                out.writeLong(now);
            }
            case StoreProtocol.STATUS -> status(out);
            case StoreProtocol.PROGRESS -> {
                long seq = in.readLong();
                String name = in.readUTF();
                synchronized (this) {
                    ranks[rank].sequence = seq;
                    ranks[rank].op = name;
                    ranks[rank].progressNanos = System.nanoTime();
                }
                return;   // no reply
            }
            default -> throw new IOException("unknown request " + op);
        }
        out.flush();
    }

    private static byte[] readValue(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > StoreProtocol.MAX_VALUE_BYTES) {
            throw new IOException("a value of " + n + " bytes");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Waits for {@code key}; answers early when a rank other than the asker has exited. */
    private void get(String key, long timeoutMs, int asker, DataOutputStream out)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeoutMs) * 1_000_000;
        byte[] value;
        int exited = -1;
        synchronized (this) {
            while ((value = values.get(key)) == null && (exited = exitedRank(asker)) < 0 && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
        if (value != null) {
            out.writeByte(StoreProtocol.VALUE);
            out.writeInt(value.length);
            out.write(value);
        } else if (exited >= 0) {
            out.writeByte(StoreProtocol.PEER_EXITED);
            out.writeInt(exited);
        } else {
            out.writeByte(StoreProtocol.TIMEOUT);
        }
    }

    private int exitedRank(int asker) {
        for (int i = 0; i < ranks.length; i++) {
            if (i != asker && ranks[i].exited) {
                return i;
            }
        }
        return -1;
    }

    private void status(DataOutputStream out) throws IOException {
        long now = System.nanoTime();
        synchronized (this) {
            out.writeByte(StoreProtocol.STATUS_REPLY);
            out.writeInt(ranks.length);
            for (Rank r : ranks) {
                out.writeBoolean(r.joined);
                out.writeBoolean(r.exited);
                out.writeBoolean(r.done);
                out.writeLong(r.sequence);
                out.writeUTF(r.op);
                out.writeLong((now - r.progressNanos) / 1_000_000);
            }
        }
    }
}
