package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.train.ScheduleUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecsTest {

    @Test
    void modelSpecsListHiddenSizes() {
        assertEquals(List.of(256, 128), ModelSpec.parse("mlp:256,128").hidden());
        assertEquals(List.of(), ModelSpec.parse("mlp").hidden());
        assertEquals("mlp:256,128", ModelSpec.parse("MLP:256, 128").toString());
        assertThrows(UserError.class, () -> ModelSpec.parse("mlp:0"));
        assertThrows(UserError.class, () -> ModelSpec.parse("mlp:a"));
        assertThrows(UserError.class, () -> ModelSpec.parse("resnet"));
    }

    @Test
    void schedulesCountEpochsOrStepsAsTheirTextsDo() {
        ScheduleSpec.Fixed step = (ScheduleSpec.Fixed) ScheduleSpec.parse("step:5:0.5", 0.1, 1000);
        assertEquals(ScheduleUnit.EPOCH, step.unit());
        assertEquals(0.1, step.schedule().at(4));
        assertEquals(0.05, step.schedule().at(5));
        ScheduleSpec.Fixed linear = (ScheduleSpec.Fixed) ScheduleSpec.parse("linear:0.01", 0.1, 100);
        assertEquals(ScheduleUnit.STEP, linear.unit());
        assertEquals((1 - 0.25) * 0.1 + 0.25 * 0.01, linear.schedule().at(25), 1e-15, "seed 001's alpha_t");
        ScheduleSpec.Fixed cosine = (ScheduleSpec.Fixed) ScheduleSpec.parse("cosine", 0.1, 100);
        assertEquals(0.05, cosine.schedule().at(50), 1e-15);
        assertEquals(0.0, cosine.schedule().at(100), 1e-15);
        assertNull(ScheduleSpec.parse("none", 0.1, 100));
        assertThrows(UserError.class, () -> ScheduleSpec.parse("step:0:0.5", 0.1, 100));
        assertThrows(UserError.class, () -> ScheduleSpec.parse("sawtooth", 0.1, 100));
    }

    @Test
    void aPlateauScheduleTakesPatienceAndFactorWithPyTorchsDefaults() {
        assertEquals(new ScheduleSpec.OnPlateau(10, 0.1), ScheduleSpec.parse("plateau", 0.1, 100));
        assertEquals(new ScheduleSpec.OnPlateau(2, 0.5), ScheduleSpec.parse("plateau:2:0.5", 0.1, 100));
        for (String bad : new String[] {"plateau:-1", "plateau:1.5", "plateau:2:1", "plateau:2:0", "plateau:1:0.5:3"}) {
            UserError e = assertThrows(UserError.class, () -> ScheduleSpec.parse(bad, 0.1, 100), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }
}
