package dev.descent.core.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A straight-line program of elementwise ops over tensors of one shape: what a backend runs
 * in one pass over memory instead of a chain of tensor ops with full-size temporaries (the
 * idea of PyTorch's jiterator and CuPy's elementwise kernels). Code above the SPI does not
 * write programs by hand: an {@link dev.descent.core.fused.UpdateRule}, with named tensors and
 * scalars, compiles to one; this register form is what backends see.
 *
 * <p>Registers hold one value per element. Registers {@code 0..tensors-1} are the tensors'
 * elements, {@code tensors..tensors+scalars-1} the scalars (the same value for every element;
 * bound at each run, so hyper-parameters change without a new program), and each step
 * appends one register. Stores write registers back into tensors (in place); a backend reads
 * every tensor's element before it stores any, so a store never changes what a step reads.
 *
 * <p>Programs are values (equal programs compare equal), so a backend compiles each one once:
 * the CPU backend to a Java loop over chunks, the CUDA backend to one kernel. Both evaluate a
 * float64 program in double and a float32 program with each step rounded to float.
 *
 * @param tensors how many tensors the program reads (and may store into)
 * @param scalars how many scalars it takes
 * @param steps the instructions, in order
 * @param stores which register each stored tensor receives, in order
 */
public record ElementwiseProgram(int tensors, int scalars, List<Step> steps, List<Store> stores) {

    public ElementwiseProgram {
        steps = List.copyOf(steps);
        stores = List.copyOf(stores);
    }

    /** Registers in all: tensors, scalars, then one per step. */
    public int registers() {
        return tensors + scalars + steps.size();
    }

    /**
     * Which registers the stores need, directly or through the steps: the tensors a backend
     * must load and the steps it must compute (the others are dead and may be skipped).
     */
    public boolean[] liveRegisters() {
        boolean[] live = new boolean[registers()];
        for (Store s : stores) {
            live[s.register()] = true;
        }
        int first = tensors + scalars;
        for (int s = steps.size() - 1; s >= 0; s--) {
            if (live[first + s]) {
                Step step = steps.get(s);
                live[step.a()] = true;
                if (step.unary() == null) {
                    live[step.b()] = true;
                }
            }
        }
        return live;
    }

    /**
     * One instruction: {@code unary(a)} when {@code unary} is set, else {@code binary(a, b)}.
     * Its result is the next register.
     */
    public record Step(UnaryOp unary, BinaryOp binary, int a, int b) {
    }

    /** Tensor {@code tensor} receives register {@code register}. */
    public record Store(int tensor, int register) {
    }

    public static Builder builder(int tensors, int scalars) {
        return new Builder(tensors, scalars);
    }

    /**
     * Writes a program register by register; each method returns the new register. (Code above
     * the SPI writes an {@code UpdateRule} instead, with names.)
     */
    public static final class Builder {
        private final int tensors;
        private final int scalars;
        private final List<Step> steps = new ArrayList<>();
        private final List<Store> stores = new ArrayList<>();

        private Builder(int tensors, int scalars) {
            if (tensors < 1 || scalars < 0) {
                throw new IllegalArgumentException("ElementwiseProgram: expected >= 1 tensor and >= 0 scalars, got "
                        + tensors + " and " + scalars);
            }
            this.tensors = tensors;
            this.scalars = scalars;
        }

        /** The register of tensor {@code i}. */
        public int tensor(int i) {
            if (i < 0 || i >= tensors) {
                throw new IllegalArgumentException("ElementwiseProgram: tensor " + i + " is out of range 0.." + (tensors - 1));
            }
            return i;
        }

        /** The register of scalar {@code i}. */
        public int scalar(int i) {
            if (i < 0 || i >= scalars) {
                throw new IllegalArgumentException("ElementwiseProgram: scalar " + i + " is out of range 0.." + (scalars - 1));
            }
            return tensors + i;
        }

        private int check(int r) {
            if (r < 0 || r >= tensors + scalars + steps.size()) {
                throw new IllegalArgumentException("ElementwiseProgram: register " + r + " is not defined yet");
            }
            return r;
        }

        public int unary(UnaryOp op, int a) {
            steps.add(new Step(op, null, check(a), -1));
            return tensors + scalars + steps.size() - 1;
        }

        public int binary(BinaryOp op, int a, int b) {
            steps.add(new Step(null, op, check(a), check(b)));
            return tensors + scalars + steps.size() - 1;
        }

        public int mul(int a, int b) {
            return binary(BinaryOp.MUL, a, b);
        }

        /** Tensor {@code tensor} receives {@code register} when the program ends. */
        public Builder store(int tensor, int register) {
            tensor(tensor);
            check(register);
            for (Store s : stores) {
                if (s.tensor() == tensor) {
                    throw new IllegalArgumentException("ElementwiseProgram: tensor " + tensor + " is stored twice");
                }
            }
            stores.add(new Store(tensor, register));
            return this;
        }

        public ElementwiseProgram build() {
            if (stores.isEmpty()) {
                throw new IllegalArgumentException("ElementwiseProgram: a program must store at least one tensor");
            }
            return new ElementwiseProgram(tensors, scalars, Collections.unmodifiableList(steps), stores);
        }
    }
}
