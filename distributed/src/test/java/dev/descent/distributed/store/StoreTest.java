package dev.descent.distributed.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The rendezvous store: waiting gets, counters, the rank table, and what it tells about ranks that leave. */
class StoreTest {
    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void aGetWaitsForTheSetOfAnotherRank() throws Exception {
        try (StoreServer server = StoreServer.start(0, 2);
             StoreClient a = StoreClient.connect("127.0.0.1", server.port(), 0, 2, T);
             StoreClient b = StoreClient.connect("127.0.0.1", server.port(), 1, 2, T)) {
            CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> a.get("k", T));
            Thread.sleep(100);
            b.set("k", new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, waiting.get());
            assertEquals(5, a.add("c", 5));
            assertEquals(3, b.add("c", -2));
            b.set("empty", new byte[0]);
            assertArrayEquals(new byte[0], a.get("empty", T));
        }
    }

    @Test
    void aGetThatTimesOutNamesTheRanksThatHaveNotJoined() throws Exception {
        try (StoreServer server = StoreServer.start(0, 3);
             StoreClient a = StoreClient.connect("127.0.0.1", server.port(), 0, 3, T)) {
            StoreException e = assertThrows(StoreException.class, () -> a.get("never", Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("rank(s) [1, 2] have not joined"), e.getMessage());
        }
    }

    @Test
    void aRankThatClosesWithoutGoodbyeIsExitedAndWakesAWaitingGet() throws Exception {
        try (StoreServer server = StoreServer.start(0, 2);
             StoreClient a = StoreClient.connect("127.0.0.1", server.port(), 0, 2, T)) {
            Socket raw = new Socket("127.0.0.1", server.port());
            var out = new java.io.DataOutputStream(raw.getOutputStream());
            out.writeByte(StoreProtocol.HELLO);
            out.writeInt(1);
            out.writeInt(2);
            out.flush();
            assertEquals(StoreProtocol.OK, raw.getInputStream().read());
            CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> a.get("k", T));
            Thread.sleep(100);
            raw.close();   // as a killed process's socket is closed by the kernel
            var e = assertThrows(java.util.concurrent.ExecutionException.class, waiting::get);
            StoreException se = (StoreException) e.getCause();
            assertEquals(1, se.failedRank());
            assertTrue(se.getMessage().contains("rank 1 exited"), se.getMessage());
            RankStatus s = a.status().get(1);
            assertTrue(s.joined() && s.exited() && !s.done(), s.toString());
        }
    }

    @Test
    void progressAndGoodbyeShowInTheTable() throws Exception {
        try (StoreServer server = StoreServer.start(0, 2);
             StoreClient a = StoreClient.connect("127.0.0.1", server.port(), 0, 2, T)) {
            StoreClient b = StoreClient.connect("127.0.0.1", server.port(), 1, 2, T);
            b.progress(7, "allReduce");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (a.status().get(1).sequence() != 7 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            RankStatus s = a.status().get(1);
            assertEquals(7, s.sequence());
            assertEquals("allReduce", s.op());
            b.close();
            assertTrue(server.awaitAllGone(T, java.util.Set.of(0)));
            List<RankStatus> all = a.status();
            assertTrue(all.get(1).done() && !all.get(1).exited(), all.toString());
        }
    }

    @Test
    void aSecondRankOfTheSameNumberAndAWrongWorldSizeAreRefused() throws Exception {
        try (StoreServer server = StoreServer.start(0, 2);
             StoreClient a = StoreClient.connect("127.0.0.1", server.port(), 0, 2, T)) {
            StoreException twice = assertThrows(StoreException.class,
                    () -> StoreClient.connect("127.0.0.1", server.port(), 0, 2, T));
            assertTrue(twice.getMessage().contains("rank 0 joined twice"), twice.getMessage());
            StoreException world = assertThrows(StoreException.class,
                    () -> StoreClient.connect("127.0.0.1", server.port(), 1, 3, T));
            assertTrue(world.getMessage().contains("expects a world size of 3, rank 0 started one of 2"),
                    world.getMessage());
        }
    }

    @Test
    void aTakenPortIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            IOException e = assertThrows(IOException.class, () -> StoreServer.start(taken.getLocalPort(), 2));
            assertTrue(e.getMessage().contains("the rendezvous port " + taken.getLocalPort() + " is in use"),
                    e.getMessage());
        }
    }

    @Test
    void noStoreAtTheAddressIsNamedAfterTheTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StoreException e = assertThrows(StoreException.class,
                () -> StoreClient.connect("127.0.0.1", port, 1, 2, Duration.ofMillis(300)));
        assertTrue(e.getMessage().startsWith("no rendezvous answered at 127.0.0.1:" + port), e.getMessage());
        assertEquals(0, e.failedRank());
    }
}
