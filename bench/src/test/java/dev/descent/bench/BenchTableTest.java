package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The results table prints each benchmark it does not know in the unit JMH measured it in. */
class BenchTableTest {
    @Test
    void anUnknownBenchmarkKeepsItsOwnUnit() {
        String table = BenchMain.table(Map.of("MyBenchmark.throughput", 1234.5, "MyBenchmark.latency", 2.5),
                Map.of("MyBenchmark.throughput", "ops/ms", "MyBenchmark.latency", "us/op"));
        String throughput = table.lines().filter(l -> l.startsWith("MyBenchmark.throughput")).findFirst().orElseThrow();
        String latency = table.lines().filter(l -> l.startsWith("MyBenchmark.latency")).findFirst().orElseThrow();
        assertTrue(throughput.contains("ops/ms") && !throughput.contains("ns/op"), table);
        assertTrue(latency.contains("us/op") && !latency.contains("ns/op"), table);
    }

    @Test
    void aKnownBenchmarkIsShownAsItsRate() {
        String table = BenchMain.table(Map.of("TinyOpBenchmark.tinyAdd", 50.0, "TinyOpBenchmark.jniSaxpy", 20.0),
                Map.of("TinyOpBenchmark.tinyAdd", "ns/op", "TinyOpBenchmark.jniSaxpy", "ns/op"));
        assertTrue(table.contains("tiny add (8 floats)") && table.contains("0.40x"), table);
    }

    @Test
    void softmaxRowsAreShownAgainstTheirOwnCopyForEachShape() {
        String table = BenchMain.table(Map.of("SoftmaxRowsBenchmark.memcpy[4194304]", 1e6,
                "SoftmaxRowsBenchmark.logSoftmax[4194304]", 4e6, "SoftmaxRowsBenchmark.memcpy[16777216]", 5e6,
                "SoftmaxRowsBenchmark.logSoftmax[16777216]", 1e7), Map.of());
        // 2^22 floats copied in 1 ms: 33.6 GB/s read and written; log-softmax in 4 ms: 0.25x of it
        assertTrue(table.contains("33.6 GB/s") && table.contains("0.25x") && table.contains("0.50x"), table);
    }
}
