package dev.descent.train.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.core.Backends;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.nn.io.Weights;
import dev.descent.nn.loss.TokenCrossEntropyLoss;
import dev.descent.nn.transformer.Gpt;
import dev.descent.nn.transformer.GptConfig;
import dev.descent.optim.AdamW;
import dev.descent.optim.WeightDecayGroups;
import dev.descent.optim.schedule.LrScheduler;
import dev.descent.optim.schedule.Schedule;
import dev.descent.train.TrainingStep;
import dev.descent.train.data.Batch;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.text.TextCorpus;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Descent's GPT and the same model in PyTorch ({@code train/reference/gpt_pytorch.py}), from the
 * same initial weights on the same batches with the same optimiser, schedule and clipping, give
 * the same losses step after step, to float32 rounding. Needs {@code python3} with {@code torch}
 * (Debian's {@code python3-torch}); skipped without them.
 *
 * <p>By default a small model for a few seconds; the system properties {@code descent.gpt.layers},
 * {@code heads}, {@code dim}, {@code context}, {@code batch}, {@code steps} and
 * {@code descent.gpt.corpus} (a text file) run any other, such as the README's 4 layers of 128 for
 * 100 steps of 32 windows of 128 characters.
 */
class GptAgreesWithPyTorchTest {
    @TempDir
    Path dir;

    private static int size(String name, int fallback) {
        return Integer.getInteger("descent.gpt." + name, fallback);
    }

    /**
     * A Python with torch: {@code -Ddescent.python}, else {@code python3} on the PATH, else Debian's
     * {@code /usr/bin/python3} (where {@code python3-torch} installs it); null when none has it.
     */
    static String pythonWithTorch() {
        for (String python : new String[] {System.getProperty("descent.python"), "python3", "/usr/bin/python3"}) {
            if (python == null) {
                continue;
            }
            try {
                Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return python;
                }
            } catch (IOException | InterruptedException e) {
                // not this one
            }
        }
        return null;
    }

    @Test
    void lossesAgreeWithPyTorchStepAfterStep() throws Exception {
        Path script = Path.of(System.getProperty("descent.reference.dir", "reference")).resolve("gpt_pytorch.py");
        assumeTrue(Files.isRegularFile(script), "the reference script is not at " + script.toAbsolutePath());
        String python = pythonWithTorch();
        assumeTrue(python != null, "no python3 with torch (Debian's python3-torch) is installed");
        int layers = size("layers", 2);
        int heads = size("heads", 2);
        int dim = size("dim", 32);
        int context = size("context", 32);
        int batch = size("batch", 8);
        int steps = size("steps", 100);
        double lr = 3e-3;
        String corpusFile = System.getProperty("descent.gpt.corpus");
        TextCorpus corpus = corpusFile != null ? TextCorpus.read(Path.of(corpusFile), "char") : TextResources.corpus();
        List<Double> descent = new ArrayList<>();
        Backends.setDefault("cpu");
        try (DataSplit split = corpus.windows(context, Backends.defaultDevice());
             Gpt model = new Gpt(new GptConfig(corpus.tokenizer().vocabSize(), context, layers, heads, dim, 0),
                     new Generator(1))) {
            Weights.save(model, dir.resolve("init.safetensors"));
            WeightDecayGroups groups = WeightDecayGroups.matricesOnly(model.parameters());
            try (AdamW opt = groups.adamW(lr, 0.1);
                 DataOutputStream batches = new DataOutputStream(Files.newOutputStream(dir.resolve("batches.bin")))) {
                opt.set("beta2", 0.99);
                LrScheduler schedule = LrScheduler.absolute(opt, Schedule.warmupCosine(lr, lr / 10, 10, steps));
                TrainingStep step = TrainingStep.of(model, new TokenCrossEntropyLoss(), opt).clipNorm(1.0);
                DataLoader loader = DataLoader.withReplacement(split.train(), batch, steps, 3);
                StringBuilder lrs = new StringBuilder();
                for (Batch b : loader.epoch(0)) {
                    try (Scope scope = Scope.open(); b) {
                        batches.write(littleEndian(b.features().toIntArray()));
                        batches.write(littleEndian(b.targets().toIntArray()));
                        lrs.append(opt.paramGroups().get(0).lr()).append('\n');
                        descent.add(step.run(b.features(), b.targets()).loss());
                        schedule.step();
                    }
                }
                Files.writeString(dir.resolve("lrs.txt"), lrs);
            }
        }
        ObjectNode cfg = new ObjectMapper().createObjectNode().put("vocab", corpus.tokenizer().vocabSize())
                .put("context", context).put("layers", layers).put("heads", heads).put("dim", dim).put("batch", batch)
                .put("steps", steps).put("beta1", 0.9).put("beta2", 0.99).put("eps", 1e-8).put("weight_decay", 0.1)
                .put("clip", 1.0);
        Files.writeString(dir.resolve("config.json"), cfg.toString());

        Process p = new ProcessBuilder(python, script.toString(), "compare", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.MINUTES), "the reference script did not finish");
        assertEquals(0, p.exitValue(), out);
        List<String> lines = Files.readAllLines(dir.resolve("pytorch_losses.txt"));
        assertEquals(steps, lines.size());
        double worst = 0;
        int worstAt = -1;
        StringBuilder table = new StringBuilder("step  descent  pytorch  relative difference\n");
        for (int i = 0; i < steps; i++) {
            double torch = Double.parseDouble(lines.get(i));
            double rel = Math.abs(descent.get(i) - torch) / Math.abs(torch);
            if (rel > worst) {
                worst = rel;
                worstAt = i;
            }
            if (i < 3 || i % 10 == 9) {
                table.append(String.format("%4d  %.7f  %.7f  %.2e%n", i + 1, descent.get(i), torch, rel));
            }
        }
        System.out.printf("GPT %d layers, %d heads, width %d, context %d, batch %d: max relative loss difference over "
                + "%d steps %.3g (step %d)%n%s", layers, heads, dim, context, batch, steps, worst, worstAt + 1, table);
        assertTrue(descent.get(steps - 1) < descent.get(0) - 0.5, "the model learned: " + descent.get(0) + " -> "
                + descent.get(steps - 1));
        // float32 rounding, grown over the steps: a wrong gradient or update differs by far more
        assertTrue(worst < 1e-4, "max relative difference " + worst + " at step " + (worstAt + 1));
    }

    private static byte[] littleEndian(int[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return b.array();
    }
}
