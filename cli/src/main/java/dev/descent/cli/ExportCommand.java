package dev.descent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.Standardize;
import dev.descent.nn.io.SafeTensors;
import dev.descent.nn.io.SafeTensorsContent;
import dev.descent.onnx.Onnx;
import dev.descent.train.checkpoint.CheckpointFile;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.Normalization;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code descent export}: a checkpoint of {@code descent train} as an ONNX model. The model is
 * rebuilt from the configuration the checkpoint carries and its weights loaded; when the run
 * standardised its inputs, the standardisation (μ and σ of the training set, measured again from
 * the same data) becomes the model's first layer, so the exported model takes raw features.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a checkpoint of 'descent train' as an ONNX model (opset " + Onnx.OPSET
                + "): input 'input' [batch, features], output 'output' [batch, classes] (logits)."},
        footer = {"", "Example:", "  descent export --checkpoint runs/spirals/checkpoint.ckpt --onnx spirals.onnx"})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "a checkpoint of descent train")
    Path checkpoint;

    @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "the ONNX file to write")
    Path onnx;

    @Option(names = "--raw-model", description = "leave the input standardisation out (the model then expects"
            + " standardised inputs, as during training)")
    boolean rawModel;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CheckpointFile ck = CheckpointFile.read(checkpoint);
        String configText = ck.trainer().metadata().get("config");
        if (configText == null) {
            throw new UserError("--checkpoint: " + checkpoint + " holds no run configuration (it was not written by"
                    + " 'descent train'), so the model cannot be rebuilt");
        }
        JsonNode config = new ObjectMapper().readTree(configText);
        try (SafeTensorsContent weights = SafeTensors.decode(ck.weights(), checkpoint + ":" + CheckpointFile.WEIGHTS);
             Module net = model(config, weights.tensors())) {
            int features = weights.tensors().get("0.weight").size(1);
            Module exported = net;
            Standardize standardize = null;
            if (config.path("normalize").asBoolean(false) && !rawModel) {
                try (DataSplit raw = DataSpec.loadRaw(config.path("data").asText(), config.path("seed").asLong())) {
                    Normalization n = DataSpec.normalization(raw);
                    standardize = new Standardize(n.mean(), n.std(), DType.FLOAT32);
                }
                exported = new Sequential(standardize, net);
            }
            try (Tensor example = Tensor.zeros(DType.FLOAT32, 1, features)) {
                Onnx.export(exported, example, onnx);
            } finally {
                if (standardize != null) {
                    standardize.close();
                }
            }
            out.printf("wrote %s: %s, input 'input' float32 [batch, %d] (%s), output 'output' [batch, %d] (logits)%n",
                    onnx, config.path("model").asText(), features,
                    standardize == null ? "standardised features" : "raw features, standardised in the model",
                    outputs(weights.tensors()));
            out.flush();
        }
        return ExitCodes.OK;
    }

    /** The network of the configuration, with the checkpoint's weights. */
    private static Module model(JsonNode config, Map<String, Tensor> weights) {
        Tensor first = weights.get("0.weight");
        if (first == null || first.rank() != 2) {
            throw new UserError("--checkpoint: the weights hold no first linear layer '0.weight' (they hold "
                    + weights.keySet() + ")");
        }
        ModelSpec spec = ModelSpec.parse(config.path("model").asText());
        if (spec.takesImages()) {
            throw new UserError("--checkpoint: " + config.path("model").asText() + " is a convolutional network;"
                    + " export writes multi-layer perceptrons (mlp:...) only so far");
        }
        ModelSpec.Settings settings = new ModelSpec.Settings(config.path("activation").asText("relu"),
                ModelSpec.InitScheme.PYTORCH, config.path("batch_norm").asBoolean(false),
                config.path("dropout").asDouble(0), new Generator(0), new Generator(0));
        Module net = spec.build(new int[] {first.size(1)}, outputs(weights), settings);
        try {
            net.loadState(weights);
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /** The classes: the output size of the last linear layer (the highest-numbered weight matrix). */
    private static int outputs(Map<String, Tensor> weights) {
        int best = -1;
        int size = 0;
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            String k = e.getKey();
            if (k.endsWith(".weight") && e.getValue().rank() == 2) {
                int index = Integer.parseInt(k.substring(0, k.indexOf('.')));
                if (index > best) {
                    best = index;
                    size = e.getValue().size(0);
                }
            }
        }
        return size;
    }
}
