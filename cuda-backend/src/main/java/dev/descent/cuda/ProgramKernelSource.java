package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.spi.ElementwiseProgram;
import java.util.List;
import java.util.Locale;

/**
 * Writes one CUDA C kernel for an {@link ElementwiseProgram} (the idea of PyTorch's jiterator):
 * each register a local variable, each step one line of arithmetic, every tensor read at the top
 * of the element's body and stored at its end, so a store never changes what a step reads. The
 * source depends only on the program, the dtype, the compute type and the {@link Layout}, never
 * on shapes, counts or scalar values: scalars are kernel parameters (so a new learning rate does
 * not compile a new kernel).
 *
 * <p>Two layouts. {@link Layout#LIST}: a list of tensor sets, each of contiguous views (an
 * optimiser's parameters with their gradients and states), in one launch, as PyTorch's
 * {@code multi_tensor_apply}: the launch's sets arrive by value in one struct parameter (their
 * element counts, each tensor's address, and where each set's chunks start), and each block
 * takes chunks of {@value #CHUNK} elements of one set (found by a binary search over the chunk
 * starts) in a grid-stride loop over all chunks. Passing the list by value needs no device
 * memory, no upload and no synchronisation, so the launch is as asynchronous as any other (a
 * device array of pointers would need an upload ordered before the launch and a buffer that
 * outlives it); its cost is the kernel-parameter limit of {@value #PARAMETER_BYTES} bytes, so a
 * list longer than {@link #setsPerLaunch} sets takes several launches. {@link Layout#STRIDED}:
 * one set of any views (broadcast reads, transposes, slices), whose shape and strides come from
 * a {@code GeometryN<tensors>} argument, as the other kernels of {@code native/cuda} do.
 *
 * <p>Kernel signature, in order: for {@code LIST} the struct {@code <name>_sets} (see
 * {@link #setsPerLaunch} for its words); for {@code STRIDED} {@code GeometryN<T> g, i64 n} and
 * one pointer per tensor; then one {@code double} per scalar (converted once to the compute type
 * in the kernel). Pointers are {@code const} where the program never stores into the tensor.
 *
 * <p>Each step's arithmetic is its op's expression from {@link OpTable}, the one CUDA definition
 * of every op that {@code elementwise.cu} also uses.
 *
 * <p>Compute type: float64 programs compute in double. float32 programs compute in float by
 * default, each step rounded to float (as the CPU backend's compiled loops and PyTorch's float
 * kernels do; double arithmetic runs at 1/2 the float rate on an H100 and 1/64 on consumer GPUs,
 * and the double transcendental functions are much slower still), or in double when asked
 * ({@code descent.cuda.programDouble=true}), which rounds each stored value once. Dead steps
 * (whose value no store needs) are left out, and so are loads of tensors that no live step reads.
 */
final class ProgramKernelSource {
    /** The kernel's name in every generated source (each source is its own module). */
    static final String KERNEL = "descent_program";
    /** Elements of one set that a block of a {@link Layout#LIST} kernel takes at a time. */
    static final int CHUNK = 1024;
    /** The kernel-parameter space every CUDA device accepts (newer drivers and devices accept more). */
    static final int PARAMETER_BYTES = 4096;

    /** How the kernel finds element i of each tensor. */
    enum Layout {
        /** Sets of contiguous views, several per launch: element i of set k is at {@code t[k][i]}. */
        LIST,
        /** One set of any views (broadcast reads, transposes, slices): offsets from a {@code GeometryN}. */
        STRIDED
    }

    private ProgramKernelSource() {
    }

    /** The C type that stores {@code dtype}; only the floating dtypes have program kernels. */
    static String storageType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            default -> throw new IllegalArgumentException("elementwise programs run on floating dtypes, got " + dtype);
        };
    }

    /**
     * How many sets one {@link Layout#LIST} launch takes: its struct is {@code 2 + S·(2 + tensors)}
     * int64 words ({@code count}, {@code firstChunk[S + 1]}, {@code n[S]}, then each tensor's
     * {@code S} addresses) and the scalars take 8 bytes each, within {@link #PARAMETER_BYTES}.
     */
    static int setsPerLaunch(ElementwiseProgram program) {
        return (PARAMETER_BYTES / 8 - 2 - program.scalars()) / (2 + program.tensors());
    }

    /** The source of the kernel {@link #KERNEL}. */
    static String generate(ElementwiseProgram program, DType dtype, boolean computeInDouble, Layout layout) {
        return generate(program, dtype, computeInDouble, layout, KERNEL);
    }

    /**
     * The source of one kernel named {@code name} (its struct, for {@code LIST}, is
     * {@code name + "_sets"}).
     *
     * @param computeInDouble compute a float32 program in double (float64 always does)
     */
    static String generate(ElementwiseProgram program, DType dtype, boolean computeInDouble, Layout layout,
            String name) {
        String t = storageType(dtype);
        String c = computeInDouble || dtype == DType.FLOAT64 ? "double" : "float";
        int nt = program.tensors();
        int ns = program.scalars();
        boolean[] live = program.liveRegisters();
        boolean[] stored = new boolean[nt];
        for (ElementwiseProgram.Store s : program.stores()) {
            stored[s.tensor()] = true;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("// Generated by dev.descent.cuda.ProgramKernelSource: an elementwise program of ")
                .append(nt).append(" tensor(s) of ").append(t).append(", ").append(ns).append(" scalar(s) and ")
                .append(program.steps().size()).append(" step(s), computed in ").append(c).append(", ")
                .append(layout.name().toLowerCase(Locale.ROOT)).append(" layout.\n");
        sb.append("#include \"").append(KernelSources.HEADER).append("\"\n\n");
        if (layout == Layout.LIST) {
            int sets = setsPerLaunch(program);
            String struct = name + "_sets";
            sb.append("// The sets of one launch, by value: written by ProgramKernels as int64 words.\n");
            sb.append("struct ").append(struct).append(" {\n");
            sb.append("    i64 count;\n");
            sb.append("    i64 firstChunk[").append(sets + 1).append("];\n");
            sb.append("    i64 n[").append(sets).append("];\n");
            for (int k = 0; k < nt; k++) {
                sb.append("    ").append(constUnless(stored[k])).append(t).append("* t").append(k).append('[')
                        .append(sets).append("];\n");
            }
            sb.append("};\n\n");
            sb.append("extern \"C\" __global__ void ").append(name).append("(const ").append(struct).append(" sets")
                    .append(scalarParameters(ns)).append(") {\n");
            scalarLocals(sb, program, live, c);
            sb.append("    const i64 chunks = sets.firstChunk[sets.count];\n");
            sb.append("    for (i64 chunk = blockIdx.x; chunk < chunks; chunk += gridDim.x) {\n");
            sb.append("        // The set of this chunk: the last k whose first chunk is at or before it.\n");
            sb.append("        int k = 0;\n");
            sb.append("        for (int half = ").append(Integer.highestOneBit(sets)).append("; half > 0; half >>= 1) {\n");
            sb.append("            if (k + half < sets.count && sets.firstChunk[k + half] <= chunk) {\n");
            sb.append("                k += half;\n");
            sb.append("            }\n");
            sb.append("        }\n");
            sb.append("        const i64 begin = (chunk - sets.firstChunk[k]) * ").append(CHUNK).append(";\n");
            sb.append("        const i64 end = min(begin + ").append(CHUNK).append(", sets.n[k]);\n");
            for (int k = 0; k < nt; k++) {
                if (live[k] || stored[k]) {
                    sb.append("        ").append(constUnless(stored[k])).append(t).append("* const t").append(k)
                            .append(" = sets.t").append(k).append("[k];\n");
                }
            }
            sb.append("        for (i64 i = begin + threadIdx.x; i < end; i += blockDim.x) {\n");
            body(sb, program, live, t, c, layout, "            ");
            sb.append("        }\n    }\n}\n");
        } else {
            sb.append("extern \"C\" __global__ void ").append(name).append("(GeometryN<").append(nt).append("> g, i64 n");
            for (int k = 0; k < nt; k++) {
                sb.append(", ").append(constUnless(stored[k])).append(t).append("* t").append(k);
            }
            sb.append(scalarParameters(ns)).append(") {\n");
            scalarLocals(sb, program, live, c);
            sb.append("    FOR_EACH_ELEMENT(i, n) {\n");
            sb.append("        i64 o[").append(nt).append("];\n");
            sb.append("        offsets<").append(nt).append(">(g, i, o);\n");
            body(sb, program, live, t, c, layout, "        ");
            sb.append("    }\n}\n");
        }
        return sb.toString();
    }

    private static String constUnless(boolean stored) {
        return stored ? "" : "const ";
    }

    private static String scalarParameters(int ns) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < ns; j++) {
            sb.append(", double a").append(j);
        }
        return sb.toString();
    }

    /** Each live scalar converted once to the compute type, before any loop. */
    private static void scalarLocals(StringBuilder sb, ElementwiseProgram program, boolean[] live, String c) {
        int nt = program.tensors();
        for (int j = 0; j < program.scalars(); j++) {
            if (live[nt + j]) {
                sb.append("    const ").append(c).append(' ').append(reg(program, nt + j)).append(" = (").append(c)
                        .append(") a").append(j).append(";\n");
            }
        }
    }

    /** One element: every live tensor loaded, every live step computed, then every store. */
    private static void body(StringBuilder sb, ElementwiseProgram program, boolean[] live, String t, String c,
            Layout layout, String indent) {
        int nt = program.tensors();
        int first = nt + program.scalars();
        for (int k = 0; k < nt; k++) {
            if (live[k]) {
                sb.append(indent).append("const ").append(c).append(' ').append(reg(program, k)).append(" = ")
                        .append(t.equals(c) ? "" : "(" + c + ") ").append('t').append(k).append(index(layout, k))
                        .append(";\n");
            }
        }
        List<ElementwiseProgram.Step> steps = program.steps();
        for (int s = 0; s < steps.size(); s++) {
            if (!live[first + s]) {
                continue;
            }
            ElementwiseProgram.Step step = steps.get(s);
            String a = reg(program, step.a());
            String expr = step.unary() != null ? OpTable.unary(step.unary(), a, c)
                    : OpTable.binary(step.binary(), a, reg(program, step.b()), c);
            sb.append(indent).append("const ").append(c).append(' ').append(reg(program, first + s)).append(" = ")
                    .append(expr).append(";\n");
        }
        for (ElementwiseProgram.Store s : program.stores()) {
            sb.append(indent).append('t').append(s.tensor()).append(index(layout, s.tensor())).append(" = ")
                    .append(t.equals(c) ? "" : "(" + t + ") ").append(reg(program, s.register())).append(";\n");
        }
    }

    /** {@code x<k>} for tensors, {@code s<j>} for scalars, {@code r<m>} for step m. */
    private static String reg(ElementwiseProgram p, int r) {
        if (r < p.tensors()) {
            return "x" + r;
        }
        if (r < p.tensors() + p.scalars()) {
            return "s" + (r - p.tensors());
        }
        return "r" + (r - p.tensors() - p.scalars());
    }

    private static String index(Layout layout, int k) {
        return layout == Layout.LIST ? "[i]" : "[o[" + k + "]]";
    }
}
