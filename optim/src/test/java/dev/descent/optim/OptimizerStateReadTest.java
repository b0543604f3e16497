package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reading an optimiser state checks every count and size against the bytes present before
 * allocating (issue 17, item 2), and {@link OptimizerState#checkFits} finds what would make
 * {@code loadState} fail half way (item 3).
 */
class OptimizerStateReadTest {

    /** A state whose one parameter's one tensor declares {@code rank}, {@code dims} and {@code values}. */
    private static byte[] state(int rank, int[] dims, int values, int trailing) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x44_4F_50_54);
        d.writeInt(1);
        d.writeUTF("Adam");
        d.writeLong(1);
        d.writeInt(1);
        d.writeInt(1);
        d.writeInt(0);
        d.writeInt(1);
        d.writeInt(0);
        d.writeInt(1);
        d.writeUTF("exp_avg");
        d.writeUTF("FLOAT32");
        d.writeInt(rank);
        for (int s : dims) {
            d.writeInt(s);
        }
        d.writeInt(values);
        for (int i = 0; i < values && i < 3; i++) {
            d.writeFloat(i);
        }
        d.writeInt(0);   // the optimiser-wide entry: no scalars,
        d.writeInt(0);   // no tensors
        d.write(new byte[trailing]);
        return b.toByteArray();
    }

    private static String refused(byte[] bytes) {
        IOException e = assertThrows(IOException.class, () -> OptimizerState.read(bytes, "state.bin"));
        assertTrue(e.getMessage().startsWith("state.bin: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aWellFormedStateIsRead() throws IOException {
        OptimizerState s = OptimizerState.read(state(1, new int[] {3}, 3, 0), "state.bin");
        assertEquals(1, s.params().size());
        assertEquals(3, ((float[]) s.params().get(0).tensors().get("exp_avg").data()).length);
    }

    @Test
    void aShapeOfTwoToTheThirtyOneIsRefusedBeforeAllocating() throws IOException {
        String m = refused(state(1, new int[] {Integer.MAX_VALUE}, Integer.MAX_VALUE, 0));
        assertTrue(m.contains("truncated") && m.contains("exp_avg"), m);
    }

    @ParameterizedTest(name = "rank {0}")
    @ValueSource(ints = {-1, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void anImpossibleRankIsRefused(int rank) throws IOException {
        String m = refused(state(rank, new int[0], 1, 0));
        assertTrue(m.contains("dimensions of state tensor 'exp_avg'") && m.contains(Integer.toString(rank)), m);
    }

    @Test
    void aNegativeDimensionOrAMismatchedCountIsRefused() throws IOException {
        assertTrue(refused(state(2, new int[] {-3, 1}, 3, 0)).contains("dimension 0 = -3"));
        assertTrue(refused(state(2, new int[] {1 << 20, 1 << 20}, 0, 0)).contains("more than 2^31 - 1"));
        assertTrue(refused(state(1, new int[] {3}, 2, 0)).contains("has 2 values, expected 3"));
    }

    @Test
    void bytesAfterTheStateAreRefused() throws IOException {
        assertTrue(refused(state(1, new int[] {3}, 3, 5)).contains("5 unexpected byte(s)"));
    }

    @Test
    void anyTruncationIsRefusedNamingTheSource() throws IOException {
        byte[] good = state(1, new int[] {3}, 3, 0);
        for (int n = 0; n < good.length; n++) {
            refused(Arrays.copyOf(good, n));
        }
    }

    /** A state whose second group is refused changes nothing, not even the first group's state. */
    @Test
    void loadStateIsAllOrNothing() throws IOException {
        try (Variable p = TestSupport.param(1, 2, 3); Variable q = TestSupport.param(4, 5);
             Adam a = new Adam(List.of(p)); Adam b = new Adam(List.of(p))) {
            a.addParamGroup(List.of(q), Map.of("beta1", 0.5));
            b.addParamGroup(List.of(q), Map.of());
            TestSupport.setGrad(p, new double[] {1, 1, 1});
            TestSupport.setGrad(q, new double[] {1, 1});
            a.step();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.saveState().write(bytes);
            byte[] raw = bytes.toByteArray();
            long half = Double.doubleToLongBits(0.5);   // the second group's beta1 -> 1.5, out of Adam's range
            for (int i = 0; i + 8 <= raw.length; i++) {
                if (java.nio.ByteBuffer.wrap(raw, i, 8).getLong() == half) {
                    java.nio.ByteBuffer.wrap(raw).putLong(i, Double.doubleToLongBits(1.5));
                    break;
                }
            }
            OptimizerState bad = OptimizerState.read(raw, "state.bin");
            ByteArrayOutputStream before = new ByteArrayOutputStream();
            b.saveState().write(before);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadState(bad));
            assertTrue(e.getMessage().contains("beta1"), e.getMessage());
            ByteArrayOutputStream after = new ByteArrayOutputStream();
            b.saveState().write(after);
            assertArrayEquals(before.toByteArray(), after.toByteArray(), "b's state after the refused load");
            p.zeroGrad();
            q.zeroGrad();
        }
    }

    @Test
    void checkFitsFindsEveryMismatchThatLoadStateWouldMeetHalfWay() throws IOException {
        try (Variable p = TestSupport.param(1, 2, 3); Variable q = TestSupport.param(4, 5);
             Adam a = new Adam(List.of(p, q)); Adam b = new Adam(List.of(p, q)); SGD sgd = new SGD(List.of(p, q))) {
            TestSupport.setGrad(p, new double[] {1, 1, 1});
            TestSupport.setGrad(q, new double[] {1, 1});
            a.step();
            OptimizerState saved = a.saveState();
            assertDoesNotThrow(() -> saved.checkFits(b));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> saved.checkFits(sgd));
            assertTrue(e.getMessage().contains("Adam") && e.getMessage().contains("SGD"), e.getMessage());

            a.set("beta1", 0.5);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.saveState().write(bytes);
            byte[] raw = bytes.toByteArray();
            // beta1 = 0.5 -> 1.5 (one exponent bit): a file Adam's own range check refuses
            long half = Double.doubleToLongBits(0.5);
            for (int i = 0; i + 8 <= raw.length; i++) {
                if (java.nio.ByteBuffer.wrap(raw, i, 8).getLong() == half) {
                    java.nio.ByteBuffer.wrap(raw).putLong(i, Double.doubleToLongBits(1.5));
                    break;
                }
            }
            OptimizerState bad = OptimizerState.read(raw, "state.bin");
            e = assertThrows(IllegalArgumentException.class, () -> bad.checkFits(b));
            assertTrue(e.getMessage().contains("beta1"), e.getMessage());

            p.zeroGrad();
            q.zeroGrad();
        }
    }
}
