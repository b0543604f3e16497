package dev.descent.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsTest {
    @TempDir
    Path dir;

    private static Sequential model(long seed, int hidden) {
        Generator gen = new Generator(seed);
        return new Sequential(new Linear(3, hidden, gen), new BatchNorm1d(hidden), new ReLU(), new Linear(hidden, 2, gen));
    }

    private static void assertSameState(Sequential a, Sequential b) {
        Map<String, Tensor> sa = a.namedState();
        Map<String, Tensor> sb = b.namedState();
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) {
            assertArrayEquals(sa.get(k).toDoubleArray(), sb.get(k).toDoubleArray(), k);
        }
    }

    @Test
    void saveThenLoadRestoresParametersAndBuffers() throws IOException {
        Path file = dir.resolve("model.safetensors");
        try (Sequential a = model(1, 4); Sequential b = model(2, 4); Scope scope = Scope.open()) {
            a.forward(Variable.of(Tensor.randn(new Generator(3), DType.FLOAT32, 5, 3)));
            Weights.save(a, file, Map.of("epoch", "1"));
            Map<String, String> meta = Weights.load(b, file);
            assertEquals(Map.of("epoch", "1"), meta);
            assertSameState(a, b);
            assertEquals(1, ((BatchNorm1d) b.get(1)).batchesTracked());
            assertTrue(b.parameters().stream().allMatch(Variable::requiresGrad));
        }
    }

    @Test
    void aFileOfAnotherModelNamesTheFirstMismatchingParameter() throws IOException {
        Path file = dir.resolve("other.safetensors");
        try (Sequential other = model(1, 5); Sequential target = model(2, 4)) {
            Weights.save(other, file);
            double[] before = target.namedParameters().get("0.weight").toDoubleArray();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Weights.load(target, file));
            assertTrue(e.getMessage().startsWith("Weights.load: " + file + " does not match the module: '0.weight':"
                    + " expected float32[4, 3], given float32[5, 3]"), e.getMessage());
            assertArrayEquals(before, target.namedParameters().get("0.weight").toDoubleArray());
        }
    }

    @Test
    void missingAndExtraEntriesAreNamed() throws IOException {
        Path file = dir.resolve("partial.safetensors");
        try (Sequential target = model(2, 4); Scope scope = Scope.open()) {
            Map<String, Tensor> state = new java.util.LinkedHashMap<>(target.namedState());
            state.remove("1.running_var");
            SafeTensors.write(file, state);
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> Weights.load(target, file));
            assertTrue(missing.getMessage().contains("'1.running_var' (float32[4]) is missing"), missing.getMessage());
            state = new java.util.LinkedHashMap<>(target.namedState());
            state.put("9.weight", Tensor.zeros(1));
            SafeTensors.write(file, state);
            IllegalArgumentException extra = assertThrows(IllegalArgumentException.class,
                    () -> Weights.load(target, file));
            assertTrue(extra.getMessage().contains("'9.weight' is not a parameter or buffer of this module"),
                    extra.getMessage());
            state = new java.util.LinkedHashMap<>(target.namedState());
            state.put("0.bias", Tensor.zeros(DType.FLOAT64, 4));
            SafeTensors.write(file, state);
            IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                    () -> Weights.load(target, file));
            assertTrue(dtype.getMessage().contains("'0.bias': expected float32[4], given float64[4]"),
                    dtype.getMessage());
        }
    }

    @Test
    void aCorruptFileChangesNeitherTheModelNorTheFile() throws IOException {
        Path file = dir.resolve("corrupt.safetensors");
        try (Sequential a = model(1, 4); Sequential b = model(2, 4)) {
            Weights.save(a, file);
            byte[] bytes = Files.readAllBytes(file);
            byte[] truncated = Arrays.copyOf(bytes, bytes.length - 10);
            Files.write(file, truncated);
            double[] before = b.namedParameters().get("3.bias").toDoubleArray();
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> Weights.load(b, file));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("truncated"),
                    e.getMessage());
            assertArrayEquals(before, b.namedParameters().get("3.bias").toDoubleArray());
            assertArrayEquals(truncated, Files.readAllBytes(file));
        }
    }
}
