package dev.descent.distributed;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.nn.Linear;
import dev.descent.optim.SGD;

/**
 * The example of distributed/README.md, verbatim between the markers, run as each rank by
 * {@link ReadmeExampleTest}; prints what every rank must agree on.
 */
public final class ReadmeExample {
    private ReadmeExample() {
    }

    public static void main(String[] args) {
        // README example: begin
        Rendezvous where = Rendezvous.fromEnvironment();    // MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE
        try (ProcessGroup group = ProcessGroups.init("gloo", where);
             Tensor x = Tensor.of(new float[] {group.rank(), 1});
             Linear model = new Linear(4, 2, new Generator(group.rank()));     // a different start on each rank
             SGD sgd = new SGD(model.parameters(), 0.1, 0);
             DataParallel dp = new DataParallel(group, model.parameters())) {
            group.allReduce(x, ReduceOp.SUM);                // every rank: [0 + 1 + … + (n−1), n]
            dp.broadcastFromRank0(model.namedState().values());                // now every rank has rank 0's
            Tensor share = Tensor.randn(new Generator(100 + group.rank()), DType.FLOAT32, 16, 4);
            Variable loss = model.forward(Variable.of(share)).square().mean();
            Tensor batchLoss = dp.backward(loss, 1);         // gradients averaged over the ranks, as the pass runs
            sgd.step();                                      // the same update on every rank
            group.barrier();
            // README example: end
            System.out.println("sum " + java.util.Arrays.toString(x.toFloatArray()) + " loss " + batchLoss.item()
                    + " weights " + java.util.Arrays.toString(model.weight().data().toFloatArray()));
        }
    }
}
