package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.io.Weights;
import dev.descent.nn.loss.CrossEntropyLoss;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example of nn/README.md, verbatim between the markers, so that the README stays true. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExampleRunsAndTheLossFalls() throws IOException {
        Path path = dir.resolve("mlp.safetensors");
        double first = Double.NaN;
        double last = Double.NaN;
        // README example: begin
        Generator gen = new Generator(42);
        try (Sequential model = new Sequential(
                     new Linear(4, 16, gen), new ReLU(), new Dropout(0.1, gen), new Linear(16, 4, gen));
             Tensor x = Tensor.randn(gen, DType.FLOAT32, 32, 4);
             Tensor labels = x.argmax(1, false)) {          // class = index of the largest feature
            CrossEntropyLoss lossFn = new CrossEntropyLoss();
            double lr = 0.5;
            for (int step = 0; step < 100; step++) {
                try (Scope scope = Scope.open()) {          // frees this step's tensors
                    Variable loss = lossFn.apply(model.forward(Variable.of(x)), labels);
                    loss.backward();                        // fills p.grad() for every parameter
                    try (NoGrad off = NoGrad.open()) {      // SGD: p <- p - lr * grad
                        for (Variable p : model.parameters()) {
                            p.addScaledInPlace(p.grad(), -lr);
                        }
                    }
                    model.zeroGrad();
                    if (step % 20 == 0) {
                        System.out.printf("step %d  loss %.4f%n", step, loss.item());
                    }
                    // README example: end
                    first = step == 0 ? loss.item() : first;
                    last = loss.item();
                    // README example: begin
                }
            }
            model.eval();                                   // dropout off from here on
            Weights.save(model, path);                      // 0.weight, 0.bias, 3.weight, 3.bias
        }
        // README example: end
        assertTrue(last < first / 3, "loss went from " + first + " to " + last);
    }
}
