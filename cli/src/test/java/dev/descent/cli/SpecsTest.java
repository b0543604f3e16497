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
        assertEquals(List.of(256, 128), ((MlpSpec) ModelSpec.parse("mlp:256,128")).hidden());
        assertEquals(List.of(), ((MlpSpec) ModelSpec.parse("mlp")).hidden());
        assertEquals("mlp:256,128", ModelSpec.parse("MLP:256, 128").toString());
        assertThrows(UserError.class, () -> ModelSpec.parse("mlp:0"));
        assertThrows(UserError.class, () -> ModelSpec.parse("mlp:a"));
        assertThrows(UserError.class, () -> ModelSpec.parse("resnet"));
    }

    @Test
    void cnnSpecsListTheirLayersAndPrintThemBack() {
        CnnSpec spec = (CnnSpec) ModelSpec.parse("CNN: c32k3, bn, relu, pool2, c64k5s2p1, avgpool2, gap, fc128, drop0.3");
        assertEquals(List.of(new CnnSpec.Conv(32, 3, 1, 1), new CnnSpec.Norm(), new CnnSpec.Activation("relu"),
                new CnnSpec.Pool(true, 2), new CnnSpec.Conv(64, 5, 2, 1), new CnnSpec.Pool(false, 2),
                new CnnSpec.GlobalAveragePool(), new CnnSpec.FullyConnected(128), new CnnSpec.Drop(0.3)), spec.layers());
        assertEquals("cnn:c32k3,bn,relu,pool2,c64k5s2p1,avgpool2,gap,fc128,drop0.3", spec.toString());
        assertEquals(spec, ModelSpec.parse(spec.toString()));
        for (String bad : new String[] {"cnn:", "cnn:c32", "cnn:c0k3", "cnn:c32k3,,relu", "cnn:conv", "cnn:drop1.5"}) {
            UserError e = assertThrows(UserError.class, () -> ModelSpec.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--model"), e.getMessage());
        }
    }

    @Test
    void aCnnSpecBuildsTheLayersItNamesWithShapesThatFit() {
        CnnSpec spec = CnnSpec.parse(CnnSpec.EXAMPLE);
        ModelSpec.Settings s = new ModelSpec.Settings("relu", ModelSpec.InitScheme.PYTORCH, false, 0,
                new dev.descent.core.Generator(1), new dev.descent.core.Generator(2));
        try (dev.descent.nn.Module net = spec.build(new int[] {1, 28, 28}, 10, s);
             dev.descent.core.Scope scope = dev.descent.core.Scope.open()) {
            // conv (no bias: bn follows), bn, conv, bn, fc 3136 -> 128, fc 128 -> 10
            assertEquals(32 * 9 + 64 + 64 * 32 * 9 + 128 + 3136 * 128 + 128 + 128 * 10 + 10, net.parameterCount());
            assertEquals(java.util.Arrays.asList("0.weight", "1.weight", "1.bias"),
                    net.namedParameters().keySet().stream().limit(3).toList());
            var out = net.forward(dev.descent.autograd.Variable.of(dev.descent.core.Tensor.zeros(2, 1, 28, 28)));
            assertEquals(dev.descent.core.Shape.of(2, 10), out.shape());
        }
        UserError e = assertThrows(UserError.class,
                () -> CnnSpec.parse("cnn:c8k3p0,pool2,c8k3p0,pool2,c8k3p0,pool2").build(new int[] {1, 12, 12}, 10, s));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
    }

    @Test
    void augmentationsParseToCropAndFlip() {
        assertTrue(AugmentSpec.parse("none", 0).isNone());
        assertEquals(new dev.descent.train.data.Augmentation(2, true, -0.5), AugmentSpec.parse("crop:2,flip", -0.5));
        assertEquals(new dev.descent.train.data.Augmentation(0, true, 0), AugmentSpec.parse("flip", 0));
        assertEquals("crop:4", AugmentSpec.parse("crop:4", 0).toString());
        for (String bad : new String[] {"crop", "crop:0", "crop:x", "flip,flip", "rotate"}) {
            assertThrows(UserError.class, () -> AugmentSpec.parse(bad, 0), bad);
        }
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
