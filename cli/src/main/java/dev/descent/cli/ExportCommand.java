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
                + "): input 'input' [batch, features] (an MLP) or [batch, C, H, W] (a cnn), output 'output' [batch, classes]"
                + " (logits)."},
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
        String model = config.path("model").asText();
        if (GptSpec.matches(model)) {
            throw new UserError("--checkpoint: " + checkpoint + " is a GPT run (" + model + "); export writes mlp and"
                    + " cnn runs (the transformer layers have no ONNX exporter yet)");
        }
        ModelSpec modelSpec = ModelSpec.parse(model);
        boolean standardized = config.path("normalize").asBoolean(false) && !rawModel;
        try (SafeTensorsContent weights = SafeTensors.decode(ck.weights(), checkpoint + ":" + CheckpointFile.WEIGHTS)) {
            int[] featureShape;
            Standardize standardize = null;
            if (modelSpec.takesImages() || standardized) {
                // the images' shape, and the standardisation's μ and σ, come from the run's data
                try (DataSplit raw = DataSpec.loadRaw(config.path("data").asText(), config.path("seed").asLong())) {
                    featureShape = modelSpec.takesImages() ? raw.train().featureShape()
                            : new int[] {raw.train().featureCount()};
                    if (standardized) {
                        Normalization n = DataSpec.normalization(raw);
                        standardize = new Standardize(n.mean(), n.std(), DType.FLOAT32);
                    }
                }
            } else {
                featureShape = new int[] {firstLinear(weights.tensors()).size(1)};
            }
            int[] exampleShape = new int[featureShape.length + 1];
            exampleShape[0] = 1;
            System.arraycopy(featureShape, 0, exampleShape, 1, featureShape.length);
            try (Module net = model(modelSpec, config, weights.tensors(), featureShape);
                 Tensor example = Tensor.zeros(DType.FLOAT32, exampleShape)) {
                Module exported = standardize == null ? net : new Sequential(standardize, net);
                Onnx.export(exported, example, onnx);
            } finally {
                if (standardize != null) {
                    standardize.close();
                }
            }
            out.printf("wrote %s: %s, input 'input' float32 [batch, %s] (%s), output 'output' [batch, %d] (logits)%n",
                    onnx, config.path("model").asText(), featureText(featureShape),
                    standardize == null ? "standardised " + (modelSpec.takesImages() ? "images" : "features")
                            : "raw " + (modelSpec.takesImages() ? "images" : "features") + ", standardised in the model",
                    outputs(weights.tensors()));
            out.flush();
        }
        return ExitCodes.OK;
    }

    private static String featureText(int[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int d : shape) {
            sb.append(sb.length() == 0 ? "" : ", ").append(d);
        }
        return sb.toString();
    }

    /** An MLP's first weight matrix, {@code 0.weight} ({@code [hidden, features]}). */
    private static Tensor firstLinear(Map<String, Tensor> weights) {
        Tensor first = weights.get("0.weight");
        if (first == null || first.rank() != 2) {
            throw new UserError("--checkpoint: the weights hold no first linear layer '0.weight' (they hold "
                    + weights.keySet() + ")");
        }
        return first;
    }

    /** The network of the configuration, for examples of {@code featureShape}, with the checkpoint's weights. */
    private static Module model(ModelSpec spec, JsonNode config, Map<String, Tensor> weights, int[] featureShape) {
        ModelSpec.Settings settings = new ModelSpec.Settings(config.path("activation").asText("relu"),
                ModelSpec.InitScheme.PYTORCH, config.path("batch_norm").asBoolean(false),
                config.path("dropout").asDouble(0), new Generator(0), new Generator(0));
        Module net = spec.build(featureShape, outputs(weights), settings);
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
