package dev.descent.distributed;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Data-parallel training, as PyTorch's {@code DistributedDataParallel}: every rank holds the
 * whole model, takes its own share of each batch, and after the backward pass every rank's
 * parameters hold the same gradient, the average over ranks of the ranks' weighted gradients:
 *
 * <pre>
 * g ← (1/n) Σ_r w_r g_r,   w_r = n_r · n / B
 * </pre>
 *
 * where rank r's share of the batch of B examples holds n_r of them and its loss is a mean over
 * them. Then g is the gradient of the mean loss over the whole batch, the one a single process
 * computes with batch B, up to the order of the sums (with equal shares every w_r is 1). The
 * batch's loss travels with the gradients and comes back averaged the same way.
 *
 * <p><b>Buckets.</b> Gradients are averaged in buckets: the parameters, in reverse order (the
 * order the backward pass tends to finish them), are packed into flat buffers of at most
 * {@code bucketBytes} (PyTorch's default: 25 MiB), one dtype each. As the backward pass finishes
 * a leaf's gradient ({@link Variable#backward(java.util.function.Consumer)}), it is copied into
 * its bucket; a full bucket starts its all-reduce at once, while the pass goes on with the
 * earlier layers — on Gloo the all-reduce runs on the group's own thread, so communication
 * overlaps computation; on NCCL it is queued on the compute stream, after the kernels that made
 * it (the overlap would need a second stream). Buckets start in their order on every rank, so
 * every rank calls the same collectives in the same order. A parameter that got no gradient
 * this step counts as zero.
 *
 * <p>At the start of a run, {@link #broadcastFromRank0} gives every rank rank 0's parameters
 * and buffers.
 */
public final class DataParallel implements AutoCloseable {
    /** PyTorch's default bucket size: 25 MiB. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final ProcessGroup group;
    private final List<Bucket> buckets = new ArrayList<>();
    private final Map<Variable, Slot> slots = new IdentityHashMap<>();
    private final Tensor lossSlot;
    private final Bucket lossBucket;
    private int nextToStart;
    private double weight;

    /** A parameter's place in its bucket: its index there, and a view of the buffer shaped like it. */
    private record Slot(Bucket bucket, int index, Tensor view) {
    }

    private static final class Bucket {
        final Tensor flat;
        final List<Variable> params = new ArrayList<>();
        final List<Tensor> views = new ArrayList<>();
        int ready;
        boolean[] arrived;
        Work work;

        Bucket(Tensor flat) {
            this.flat = flat;
        }
    }

    public DataParallel(ProcessGroup group, List<Variable> parameters) {
        this(group, parameters, DEFAULT_BUCKET_BYTES);
    }

    /**
     * @param parameters the model's parameters; those that require grad are averaged
     * @param bucketBytes the most bytes of gradients averaged in one collective
     */
    public DataParallel(ProcessGroup group, List<Variable> parameters, long bucketBytes) {
        String op = "DataParallel";
        Check.argument(group != null && parameters != null, op, "expected a group and parameters");
        Check.argument(bucketBytes > 0, op, "expected a bucket size > 0 bytes, got %d", bucketBytes);
        this.group = group;
        List<List<Variable>> plan = plan(op, parameters, bucketBytes);
        for (List<Variable> members : plan) {
            DType dtype = members.get(0).dtype();
            Device device = members.get(0).device();
            long numel = 0;
            for (Variable p : members) {
                numel += p.numel();
            }
            boolean carriesLoss = buckets.isEmpty();   // the first to start carries the loss
            Check.argument(numel + 1 <= Integer.MAX_VALUE, op, "a bucket of %d elements is too large", numel);
            Bucket b = new Bucket(Scope.escape(Tensor.zeros(device, dtype, (int) numel + (carriesLoss ? 1 : 0))));
            int offset = 0;
            for (Variable p : members) {
                Tensor v = Scope.escape(b.flat.narrow(0, offset, (int) p.numel()).view(p.shape().dims()));
                b.params.add(p);
                b.views.add(v);
                slots.put(p, new Slot(b, b.params.size() - 1, v));
                offset += (int) p.numel();
            }
            b.arrived = new boolean[members.size()];
            buckets.add(b);
        }
        lossBucket = buckets.isEmpty() ? null : buckets.get(0);
        lossSlot = lossBucket == null ? null : Scope.escape(lossBucket.flat.narrow(0, (int) lossBucket.flat.numel() - 1,
                1).view());
    }

    /** The parameters that require grad, in reverse order, cut into buckets of one dtype and device. */
    private static List<List<Variable>> plan(String op, List<Variable> parameters, long bucketBytes) {
        List<List<Variable>> plan = new ArrayList<>();
        Map<String, List<Variable>> open = new HashMap<>();
        Map<String, Long> openBytes = new HashMap<>();
        Set<Variable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = parameters.size() - 1; i >= 0; i--) {
            Variable p = parameters.get(i);
            Check.argument(p != null && p.isLeaf(), op, "parameter %d is not a leaf", i);
            if (!p.requiresGrad() || !seen.add(p)) {
                continue;
            }
            String kind = p.dtype() + "@" + p.device();
            long bytes = p.numel() * p.dtype().byteSize();
            List<Variable> current = open.get(kind);
            if (current == null || !current.isEmpty() && openBytes.get(kind) + bytes > bucketBytes) {
                current = new ArrayList<>();
                open.put(kind, current);
                openBytes.put(kind, 0L);
                plan.add(current);
            }
            current.add(p);
            openBytes.merge(kind, bytes, Long::sum);
        }
        return plan;
    }

    public ProcessGroup group() {
        return group;
    }

    /** How many collectives one {@link #backward} calls. */
    public int bucketCount() {
        return buckets.size();
    }

    /** Gives every rank rank 0's values of {@code tensors} (parameters and buffers, in one order on every rank). */
    public void broadcastFromRank0(Collection<Tensor> tensors) {
        for (Tensor t : tensors) {
            group.broadcast(t, 0);
        }
    }

    /**
     * Back-propagates this rank's {@code loss} (a one-element mean over its share of the batch)
     * and leaves in every parameter's gradient the average above, overlapping the averaging with
     * the pass.
     *
     * @param weight this rank's w_r = n_r · n / B (1 when the shares are equal)
     * @return the batch's loss, (1/n) Σ_r w_r L_r: a new one-element tensor on the device (nothing is read)
     * @throws CollectiveException naming the rank that failed
     */
    public Tensor backward(Variable loss, double weight) {
        String op = "DataParallel.backward";
        Check.argument(loss != null && loss.numel() == 1, op, "expected a one-element loss, got %s",
                loss == null ? null : loss.describe());
        Check.argument(weight >= 0 && Double.isFinite(weight), op, "expected a finite weight >= 0, got %s", weight);
        this.weight = weight;
        nextToStart = 0;
        for (Bucket b : buckets) {
            b.ready = 0;
            Arrays.fill(b.arrived, false);
            b.work = null;
        }
        Tensor batchLoss;
        if (lossSlot != null && lossSlot.dtype() == loss.dtype()) {
            lossSlot.copyFrom(loss.data().reshape());
            batchLoss = null;
        } else {
            batchLoss = loss.data().reshape().mul(weight);   // no bucket of its dtype: it travels alone
        }
        loss.backward(this::arrived);
        for (Bucket b : buckets) {
            for (int i = 0; i < b.params.size(); i++) {
                if (!b.arrived[i]) {   // no gradient this step: it counts as zero
                    b.views.get(i).zero();
                    b.arrived[i] = true;
                    b.ready++;
                }
            }
        }
        startReadyBuckets();
        Work lossWork = batchLoss == null ? null : group.allReduceAsync(batchLoss, ReduceOp.AVERAGE);
        for (Bucket b : buckets) {
            b.work.await();
            for (int i = 0; i < b.params.size(); i++) {
                Variable p = b.params.get(i);
                Tensor averaged = b.views.get(i);
                if (p.grad() != null) {
                    p.grad().data().copyFrom(averaged);
                } else {
                    p.accumulateGrad(averaged);
                }
            }
        }
        if (lossWork != null) {
            lossWork.await();
            return batchLoss;
        }
        return lossSlot.copy();
    }

    /** A leaf's gradient is complete: into its bucket it goes, and the buckets ready in order start. */
    private void arrived(Variable leaf) {
        Slot s = slots.get(leaf);
        if (s == null) {
            return;   // not one of this model's parameters
        }
        Bucket b = s.bucket();
        int i = s.index();
        if (b.arrived[i]) {
            return;
        }
        s.view().copyFrom(leaf.grad().data());
        b.arrived[i] = true;
        b.ready++;
        startReadyBuckets();
    }

    private void startReadyBuckets() {
        while (nextToStart < buckets.size() && buckets.get(nextToStart).ready == buckets.get(nextToStart).params.size()) {
            Bucket b = buckets.get(nextToStart++);
            if (weight != 1) {
                b.flat.mulInPlace(weight);
            }
            b.work = group.allReduceAsync(b.flat, ReduceOp.AVERAGE);
        }
    }

    /** Frees the buckets. */
    @Override
    public void close() {
        for (Bucket b : buckets) {
            b.views.forEach(Tensor::close);
            b.flat.close();
        }
        if (lossSlot != null) {
            lossSlot.close();
        }
    }
}
