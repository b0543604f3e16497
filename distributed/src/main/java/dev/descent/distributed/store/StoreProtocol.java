package dev.descent.distributed.store;

/**
 * The rendezvous store's messages: a request is an opcode and its fields, written with
 * {@link java.io.DataOutputStream}; every request but {@link #PROGRESS} and {@link #BYE} gets
 * one reply, a reply code and its fields. One connection per rank; it opens with {@link #HELLO}.
 */
final class StoreProtocol {
    /** int rank, int world size → OK long serverId | ERROR utf. */
    static final byte HELLO = 1;
    /** utf key, bytes value → OK. */
    static final byte SET = 2;
    /** utf key, long timeout ms → VALUE bytes | TIMEOUT | PEER_EXITED int rank. */
    static final byte GET = 3;
    /** utf key, long delta → LONG long (the counter after adding). */
    static final byte ADD = 4;
    /** → STATUS int n, then n × (bool joined, bool exited, bool done, long seq, utf op, long ms since progress). */
    static final byte STATUS = 5;
    /** long seq, utf op; no reply: the collective this rank entered last. */
    static final byte PROGRESS = 6;
    /** No reply: this rank leaves cleanly (its connection closing then is no failure). */
    static final byte BYE = 7;

    static final byte OK = 0;
    static final byte VALUE = 1;
    static final byte TIMEOUT = 2;
    static final byte PEER_EXITED = 3;
    static final byte LONG = 4;
    static final byte STATUS_REPLY = 5;
    static final byte ERROR = 6;

    /** The largest value the store keeps (a Gloo address list or an NCCL id is far smaller). */
    static final int MAX_VALUE_BYTES = 1 << 24;

    private StoreProtocol() {
    }
}
