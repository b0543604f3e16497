package dev.descent.distributed.store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One rank's connection to the rendezvous {@link StoreServer}. Thread-safe: requests are
 * serialised. Progress reports ({@link #progress}) never block the caller: a daemon thread sends
 * the latest one every {@link #REPORT_PERIOD_MS}.
 */
public final class StoreClient implements AutoCloseable {
    /** How much longer than a request's own wait the client waits for the server's answer. */
    private static final long ANSWER_GRACE_MS = 10_000;
    /**
     * How often the latest progress is sent, when it changed. Not on every call: waking a thread
     * and writing to a socket per collective cost 0.5 ms of a 4 KiB all-reduce's 0.8 on two
     * cores (their threads stand in the way of the collective's own); a failure diagnosis reads
     * the reports a whole timeout later.
     */
    static final long REPORT_PERIOD_MS = 20;

    private final String host;
    private final int port;
    private final int rank;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final long serverId;
    private final AtomicReference<Progress> latest = new AtomicReference<>();
    private final Thread reporter;
    private volatile boolean closed;
    private IOException broken;

    private record Progress(long sequence, String op) {
    }

    private StoreClient(String host, int port, int rank, Socket socket, long serverId) throws IOException {
        this.host = host;
        this.port = port;
        this.rank = rank;
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        this.serverId = serverId;
        this.reporter = new Thread(this::reportLoop, "descent-store-progress-rank-" + rank);
        reporter.setDaemon(true);
        reporter.start();
    }

    /**
     * Connects rank {@code rank} of {@code worldSize} to the store at {@code host:port}, trying
     * again until {@code timeout} (rank 0 may start after the others).
     *
     * @throws StoreException when no store answers in time, or it refuses this rank
     */
    public static StoreClient connect(String host, int port, int rank, int worldSize, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String where = host + ":" + port;
        IOException last = null;
        while (true) {
            Socket s = new Socket();
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                s.connect(new InetSocketAddress(host, port), (int) Math.min(left, 5_000));
                s.setTcpNoDelay(true);
                s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis() + ANSWER_GRACE_MS));
                DataOutputStream o = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
                o.writeByte(StoreProtocol.HELLO);
                o.writeInt(rank);
                o.writeInt(worldSize);
                o.flush();
                DataInputStream i = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                byte code = i.readByte();
                if (code == StoreProtocol.ERROR) {
                    String why = i.readUTF();
                    s.close();
                    throw new StoreException("the rendezvous at " + where + " refused rank " + rank + ": " + why, -1);
                }
                long id = i.readLong();
                s.setSoTimeout(0);
                return new StoreClient(host, port, rank, s, id);
            } catch (UnknownHostException e) {
                close(s);
                throw new StoreException("the rendezvous host '" + host + "' (MASTER_ADDR) is not known: "
                        + e.getMessage(), -1, e);
            } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
                close(s);
                last = e;
            } catch (IOException e) {
                close(s);
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new StoreException("no rendezvous answered at " + where + " (MASTER_ADDR:MASTER_PORT) within "
                        + timeout.toSeconds() + " s: rank 0 has not started, or the address does not reach it ("
                        + last.getMessage() + ")", 0, last);
            }
            LockSupport.parkNanos(100_000_000);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** The id of the server this client reached (to check that rank 0 reached its own). */
    public long serverId() {
        return serverId;
    }

    /** The local address this client reaches the store from: one the other ranks can reach this machine at. */
    public InetAddress localAddress() {
        return socket.getLocalAddress();
    }

    /** "host:port" of the store. */
    public String where() {
        return host + ":" + port;
    }

    public synchronized void set(String key, byte[] value) {
        request(() -> {
            out.writeByte(StoreProtocol.SET);
            out.writeUTF(key);
            out.writeInt(value.length);
            out.write(value);
            out.flush();
            expect(StoreProtocol.OK);
            return null;
        }, 0, "set '" + key + "'");
    }

    public void set(String key, String value) {
        set(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The value of {@code key}, waiting until some rank sets it.
     *
     * @throws StoreException when {@code timeout} passes first (naming the key), or a rank exits
     *     while this one waits (naming it)
     */
    public synchronized byte[] get(String key, Duration timeout) {
        return request(() -> {
            out.writeByte(StoreProtocol.GET);
            out.writeUTF(key);
            out.writeLong(timeout.toMillis());
            out.flush();
            byte code = in.readByte();
            switch (code) {
                case StoreProtocol.VALUE -> {
                    int n = in.readInt();
                    if (n < 0 || n > StoreProtocol.MAX_VALUE_BYTES) {
                        throw new IOException("the store answered a value of " + n + " bytes");
                    }
                    byte[] b = new byte[n];
                    in.readFully(b);
                    return b;
                }
                case StoreProtocol.PEER_EXITED -> {
                    int r = in.readInt();
                    throw new StoreException("rank " + r + " exited (its connection to the rendezvous at " + where()
                            + " closed without a goodbye) while rank " + rank + " waited for '" + key + "'", r);
                }
                case StoreProtocol.TIMEOUT -> throw new StoreException("rank " + rank + " waited " + timeout.toSeconds()
                        + " s for '" + key + "' in the rendezvous at " + where() + "; " + missing(), -1);
                default -> throw new IOException("unexpected answer " + code);
            }
        }, timeout.toMillis(), "get '" + key + "'");
    }

    public String getString(String key, Duration timeout) {
        return new String(get(key, timeout), StandardCharsets.UTF_8);
    }

    /** Adds {@code delta} to the counter {@code key} (0 at first) and returns its new value. */
    public synchronized long add(String key, long delta) {
        return request(() -> {
            out.writeByte(StoreProtocol.ADD);
            out.writeUTF(key);
            out.writeLong(delta);
            out.flush();
            expect(StoreProtocol.LONG);
            return in.readLong();
        }, 0, "add '" + key + "'");
    }

    /** What the store knows of every rank. */
    public synchronized List<RankStatus> status() {
        return request(this::statusUnlocked, 0, "status");
    }

    /** Reports that this rank enters collective {@code sequence}, {@code op}; returns at once (sent within {@link #REPORT_PERIOD_MS}). */
    public void progress(long sequence, String op) {
        latest.set(new Progress(sequence, op));
    }

    private void reportLoop() {
        Progress sent = null;
        while (!closed) {
            Progress p = latest.get();
            if (p != null && p != sent) {
                synchronized (this) {
                    if (broken == null && !closed) {
                        try {
                            out.writeByte(StoreProtocol.PROGRESS);
                            out.writeLong(p.sequence());
                            out.writeUTF(p.op());
                            out.flush();
                        } catch (IOException e) {
                            broken = e;
                        }
                    }
                }
                sent = p;
            }
            LockSupport.parkNanos(this, REPORT_PERIOD_MS * 1_000_000);
        }
    }

    /** Says goodbye (this rank leaves cleanly) and closes the connection. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (broken == null) {
                try {
                    out.writeByte(StoreProtocol.BYE);
                    out.flush();
                } catch (IOException ignored) {
                    // the server is gone: nothing to say goodbye to
                }
            }
            close(socket);
        }
        LockSupport.unpark(reporter);
    }

    private String missing() {
        try {
            List<Integer> absent = new ArrayList<>();
            for (RankStatus s : statusUnlocked()) {
                if (!s.joined()) {
                    absent.add(s.rank());
                }
            }
            return absent.isEmpty() ? "every rank has joined, but none set it"
                    : "rank(s) " + absent + " have not joined: they did not start, or cannot reach " + where();
        } catch (IOException e) {
            return "the store did not say which ranks are missing (" + e.getMessage() + ")";
        }
    }

    private List<RankStatus> statusUnlocked() throws IOException {
        out.writeByte(StoreProtocol.STATUS);
        out.flush();
        expect(StoreProtocol.STATUS_REPLY);
        int n = in.readInt();
        List<RankStatus> all = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            all.add(new RankStatus(r, in.readBoolean(), in.readBoolean(), in.readBoolean(), in.readLong(), in.readUTF(),
                    in.readLong()));
        }
        return all;
    }

    private void expect(byte code) throws IOException {
        byte got = in.readByte();
        if (got != code) {
            throw new IOException("unexpected answer " + got + " (expected " + code + ")");
        }
    }

    private interface Request<T> {
        T run() throws IOException;
    }

    /** Runs a request with the socket's timeout set to its own wait plus a grace, turning I/O failures into StoreExceptions. */
    private <T> T request(Request<T> r, long waitMs, String what) {
        if (closed) {
            throw new StoreException("rank " + rank + ": the connection to the rendezvous at " + where()
                    + " is closed", -1);
        }
        if (broken != null) {
            throw lost(broken, what);
        }
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, waitMs + ANSWER_GRACE_MS));
            return r.run();
        } catch (StoreException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            broken = e;
            throw new StoreException("rank " + rank + ": the rendezvous at " + where() + ", which rank 0 serves, did not"
                    + " answer '" + what + "' in time: rank 0 hangs", 0, e);
        } catch (IOException e) {
            broken = e;
            throw lost(e, what);
        }
    }

    private StoreException lost(IOException e, String what) {
        return new StoreException("rank " + rank + " lost its connection to the rendezvous at " + where()
                + ", which rank 0 serves (during " + what + "): rank 0 has exited (" + e + ")", 0, e);
    }
}
