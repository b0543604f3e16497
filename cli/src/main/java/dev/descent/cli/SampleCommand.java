package dev.descent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.autograd.NoGrad;
import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.io.SafeTensors;
import dev.descent.nn.io.SafeTensorsContent;
import dev.descent.nn.io.SafeTensorsException;
import dev.descent.nn.transformer.Gpt;
import dev.descent.nn.transformer.KeyValueCache;
import dev.descent.train.checkpoint.CheckpointException;
import dev.descent.train.checkpoint.CheckpointFile;
import dev.descent.train.data.text.Tokenizer;
import dev.descent.train.data.text.UnknownTokenException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code descent sample}: text from a GPT that {@code descent train --model gpt:...} trained,
 * continuing a prompt one token at a time with a key/value cache: each new token runs the model
 * on itself alone against the cached keys and values of the tokens before it. When the context
 * is full the last half of it is run again as a fresh prompt (so the cost per token stays
 * bounded, and the whole prefix is never recomputed per token).
 */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generates text with a GPT trained by 'descent train --data text:FILE --model gpt:...', "
                + "continuing --prompt, and prints it."},
        footer = {"", "Example:",
                "  descent sample --checkpoint runs/corpus/checkpoint.ckpt --prompt \"The \" --tokens 200 "
                        + "--temperature 0.8 --top-k 40 --seed 1", "",
                "Exit status: 0 done, 1 failed (a missing or corrupt checkpoint, a backend), 2 wrong option or value."})
public final class SampleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "FILE", required = true,
            description = "the checkpoint of a GPT run (RUN/checkpoint.ckpt)")
    Path checkpoint;

    @Option(names = "--prompt", defaultValue = "\n", description = "the text to continue (default: a new line)")
    String prompt;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "200",
            description = "tokens to generate (default: ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "logits divided by T before sampling; 0 picks the likeliest token (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "sample among the K likeliest tokens only; 0: all (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--seed", description = "fixes the sample (default: a new one each run, printed on standard error)")
    Long seed;

    @Option(names = "--backend", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: every core)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        require(tokens >= 0, "--tokens: expected a count >= 0, got " + tokens);
        require(temperature >= 0 && temperature < Double.POSITIVE_INFINITY,
                "--temperature: expected a finite temperature >= 0, got " + temperature);
        require(topK >= 0, "--top-k: expected K >= 0 (0: all tokens), got " + topK);
        require(backend.equals("cpu") || backend.equals("cuda"), "--backend: expected cpu or cuda, got '" + backend + "'");
        require(threads == null || threads >= 1 && threads <= TrainCommand.MAX_THREADS,
                "--threads: expected 1 to " + TrainCommand.MAX_THREADS + ", got " + threads);
        require(!prompt.isEmpty(), "--prompt: expected some text to continue, got an empty prompt");
        if (!Files.isRegularFile(checkpoint)) {
            throw new UserError("--checkpoint: no checkpoint at " + checkpoint + "; give RUN/checkpoint.ckpt of a "
                    + "'descent train --model gpt:...' run");
        }
        if (threads != null) {
            System.setProperty("descent.cpu.threads", Integer.toString(threads));
        }
        Backends.setDefault(backend);
        PrintWriter err = spec.commandLine().getErr();
        CheckpointFile file = CheckpointFile.read(checkpoint);
        Map<String, String> meta = file.trainer().metadata();
        GptSpec gptSpec = modelOf(meta);
        Tokenizer tokenizer = tokenizerOf(meta);
        int[] ids;
        try {
            ids = tokenizer.encode(prompt);
        } catch (UnknownTokenException e) {
            throw new UserError("--prompt: " + e.getMessage() + " the model was trained on; use characters of its "
                    + "training text (or train with --tokenizer byte)");
        }
        PrintWriter out = spec.commandLine().getOut();
        long s = seed != null ? seed : System.nanoTime();
        if (seed == null) {
            err.println("seed " + s);
        }
        try (Gpt model = gptSpec.build(tokenizer.vocabSize(), 0, new Generator(0), new Generator(0));
             NoGrad off = NoGrad.open()) {
            load(model, file.weights());
            model.eval();
            long start = System.nanoTime();
            int[] generated = generate(model, ids, new Generator(s));
            double secs = (System.nanoTime() - start) / 1e9;
            out.print(prompt + tokenizer.decode(generated));
            out.println();
            out.flush();
            err.printf("%d tokens in %.2f s, %.0f tokens/s%n", generated.length, secs, generated.length / secs);
            err.flush();
        }
        return ExitCodes.OK;
    }

    /** {@link #tokens} tokens after {@code prompt}, sampled one at a time against a key/value cache. */
    int[] generate(Gpt model, int[] prompt, Generator gen) {
        int context = model.config().context();
        int[] all = Arrays.copyOf(prompt, prompt.length + tokens);
        int length = prompt.length;
        try (KeyValueCache cache = model.newCache(1)) {
            // the prompt's last tokens that fit, run at once
            int from = Math.max(0, length - context);
            double[] logits = step(model, cache, Arrays.copyOfRange(all, from, length));
            for (int n = 0; n < tokens; n++) {
                int next = pick(logits, gen);
                all[length++] = next;
                if (n == tokens - 1) {
                    break;
                }
                if (cache.remaining() == 0) {
                    // the context is full: the last half again, as a fresh prompt
                    cache.clear();
                    logits = step(model, cache, Arrays.copyOfRange(all, length - context / 2, length));
                } else {
                    logits = step(model, cache, new int[] {next});
                }
            }
        }
        return Arrays.copyOfRange(all, prompt.length, length);
    }

    /** Runs {@code ids} after the cached tokens; the logits of the last one (one read from the device). */
    private static double[] step(Gpt model, KeyValueCache cache, int[] ids) {
        try (Scope scope = Scope.open()) {
            double[] values = new double[ids.length];
            for (int i = 0; i < ids.length; i++) {
                values[i] = ids[i];
            }
            Tensor in = Tensor.of(Backends.defaultDevice(), DType.INT32, values, 1, ids.length);
            Tensor logits = model.forward(in, cache).data();
            return logits.select(1, ids.length - 1).toDoubleArray();
        }
    }

    /**
     * A token drawn from softmax(logits / T) over the {@link #topK} largest logits (all when 0);
     * the largest at temperature 0.
     */
    int pick(double[] logits, Generator gen) {
        int v = logits.length;
        if (temperature == 0) {
            int best = 0;
            for (int i = 1; i < v; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        }
        double cut = Double.NEGATIVE_INFINITY;
        if (topK > 0 && topK < v) {
            double[] sorted = logits.clone();
            Arrays.sort(sorted);
            cut = sorted[v - topK];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[v];
        double total = 0;
        for (int i = 0; i < v; i++) {
            p[i] = logits[i] >= cut ? Math.exp((logits[i] - max) / temperature) : 0;
            total += p[i];
        }
        double u = gen.nextDouble() * total;
        for (int i = 0; i < v; i++) {
            u -= p[i];
            if (u < 0) {
                return i;
            }
        }
        for (int i = v - 1; i >= 0; i--) {
            if (p[i] > 0) {
                return i;
            }
        }
        return 0;
    }

    private GptSpec modelOf(Map<String, String> meta) throws CheckpointException {
        String config = meta.get("config");
        JsonNode node = null;
        try {
            node = config == null ? null : new ObjectMapper().readTree(config);
        } catch (IOException e) {
            throw new CheckpointException(checkpoint + "!trainer.json: its metadata 'config' is not valid JSON");
        }
        String model = node == null ? null : node.path("model").asText(null);
        if (model == null || !GptSpec.matches(model) || !meta.containsKey(TrainCommand.TOKENIZER)) {
            throw new UserError("--checkpoint: " + checkpoint + " holds " + (model == null ? "no model description"
                    : "a " + model + " model") + ", not a GPT trained on text; give the checkpoint of a 'descent train "
                    + "--data text:FILE --model gpt:...' run");
        }
        try {
            return GptSpec.parse(model);
        } catch (UserError e) {
            throw new CheckpointException(checkpoint + "!trainer.json: its model '" + model + "' is not a GPT's: "
                    + e.getMessage());
        }
    }

    private Tokenizer tokenizerOf(Map<String, String> meta) throws CheckpointException {
        try {
            return Tokenizer.fromJson(meta.get(TrainCommand.TOKENIZER));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(checkpoint + "!trainer.json: its tokenizer cannot be used: " + e.getMessage());
        }
    }

    /** The checkpoint's weights into {@code model}, every name, dtype and shape checked first. */
    private void load(Gpt model, byte[] weights) throws CheckpointException {
        String part = checkpoint + "!" + CheckpointFile.WEIGHTS;
        try (SafeTensorsContent content = SafeTensors.decode(weights, part)) {
            model.loadState(content.tensors());
        } catch (SafeTensorsException e) {
            throw new CheckpointException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(part + ": the weights do not fit the model its run describes: "
                    + e.getMessage(), e);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }
}
