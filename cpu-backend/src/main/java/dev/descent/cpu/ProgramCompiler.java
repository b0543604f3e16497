package dev.descent.cpu;

import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.UnaryOp;
import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Writes an {@link ElementwiseProgram} as a Java class, once per program, precision and
 * {@link Form}: one counted loop over elements, each register a local variable, each
 * step one or two bytecodes (or a call to {@link Math}), every tensor read at the top of the
 * element's body and stored at its end. The JIT compiles it like a hand-written loop. Two ways
 * to reach the tensors, chosen per program ({@link #formFor}):
 *
 * <ul>
 * <li>{@link Form#CHUNKS}: over Java arrays holding a chunk of each tensor, which the caller
 *     copies in and out. The JIT vectorises array loops where the ops allow (+ − × ÷ √ |x| max
 *     min), which is what a program with divisions and roots needs to keep up with memory: on
 *     Adam over 2^22 parameters a scalar loop took about 3× this one's time. (An interpreter
 *     that runs one loop per step over the chunk was about 1.8× slower still than one loop:
 *     every step goes through memory.)
 * <li>{@link Form#BUFFERS}: straight over the tensors' NIO buffers, one element at a time,
 *     without the copies. The JIT does not vectorise buffer accesses, but a program of cheap
 *     ops (SGD with momentum: multiply-adds) is bound by memory either way, and the copies
 *     cost it about 40% (figures from a shared 2-core AMD EPYC: noisy).
 * </ul>
 *
 * <p>Precision: in double for float64; in float for float32, each step's result rounded to
 * float and the scalars rounded once. A step is computed exactly as the tensor op of the same
 * name computes one element ({@code ChunkMath}: in double, then rounded once to the dtype; for
 * float32 ops with a float kernel, {@link FloatKernels#element}), so a float32 program gives the
 * same bits as its composed form, whichever the access; + − × ÷ use float arithmetic, which
 * rounds identically, so the loop vectorises. One exception: pow is {@code Math.pow} rounded once
 * here, where the float32 tensor op has its own kernel ({@link FloatPow}); the two differ in the
 * last bit where the exact power lies within about 1e-13 of a rounding boundary (73 of the 2^32
 * bases for the exponent 2.5). No optimiser's program uses pow. Ops without a case here
 * (added to the SPI later) call {@code ChunkMath} for one element: correct, but not vectorised.
 * Loops are kept for the process's life (one per optimiser configuration in practice).
 */
final class ProgramCompiler {
    /** How a compiled loop reaches the tensors' elements. */
    enum Form {
        /** {@code float[]} or {@code double[]} chunks, copied in and out by the caller. */
        CHUNKS,
        /** {@code FloatBuffer} or {@code DoubleBuffer} slices whose element 0 is the first to update. */
        BUFFERS
    }

    /** The compiled form: runs the program over elements {@code [0, n)}, in place. */
    interface CompiledLoop {
        /**
         * @param tensors one array or buffer per tensor (see {@link Form}): read tensors hold
         *     their elements, stored tensors receive theirs; null for a tensor the program
         *     neither reads nor stores
         * @param scalars the program's scalars
         */
        void run(Object[] tensors, double[] scalars, int n);
    }

    private record Key(ElementwiseProgram program, boolean inFloat, Form form) {
    }

    private static final Map<Key, CompiledLoop> LOOPS = new ConcurrentHashMap<>();
    private static final String MATH = "java/lang/Math";
    private static final String SCALAR_MATH = Type.getInternalName(ScalarMath.class);

    private ProgramCompiler() {
    }

    /** The loop of {@code program}, in float ({@code inFloat}) or double, in {@code form}; written and loaded once. */
    static CompiledLoop loop(ElementwiseProgram program, boolean inFloat, Form form) {
        return LOOPS.computeIfAbsent(new Key(program, inFloat, form), k -> define(k.program(), k.inFloat(), k.form()));
    }

    /**
     * {@link Form#BUFFERS} for a program whose steps are all cheap in scalar code (+ − ×,
     * max, min, |x|, sign, comparisons), where memory is the bound and the copies would only
     * add to it; {@link Form#CHUNKS} as soon as one step divides, takes a root or calls a
     * function, where the vectorised loop is what keeps up with memory.
     */
    static Form formFor(ElementwiseProgram program) {
        boolean[] live = program.liveRegisters();
        int first = program.tensors() + program.scalars();
        for (int s = 0; s < program.steps().size(); s++) {
            ElementwiseProgram.Step step = program.steps().get(s);
            if (live[first + s] && !(step.unary() != null ? cheap(step.unary()) : cheap(step.binary()))) {
                return Form.CHUNKS;
            }
        }
        return Form.BUFFERS;
    }

    private static boolean cheap(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, SIGN, SQUARE, RELU -> true;
            default -> false;
        };
    }

    private static boolean cheap(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, MAXIMUM, MINIMUM, EQ, NE, LT, LE, GT, GE -> true;
            default -> false;
        };
    }

    /** Loops written so far (for tests). */
    static int compiledLoops() {
        return LOOPS.size();
    }

    private static CompiledLoop define(ElementwiseProgram program, boolean inFloat, Form form) {
        byte[] bytes = write(program, inFloat, form);
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            return (CompiledLoop) lookup.lookupClass().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cpu: could not load the loop written for an elementwise program", e);
        }
    }

    /** The class file: {@code final class ProgramLoop implements CompiledLoop}. */
    static byte[] write(ElementwiseProgram program, boolean inFloat, Form form) {
        // Frames computed by ASM: the loop's locals have one type each, so no class hierarchy is needed.
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        String name = Type.getInternalName(ProgramCompiler.class).replace("ProgramCompiler", "ProgramLoop");
        cw.visit(Opcodes.V17, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, name, null, "java/lang/Object",
                new String[] {Type.getInternalName(CompiledLoop.class)});
        MethodVisitor init = cw.visitMethod(0, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "run", "([Ljava/lang/Object;[DI)V", null, null);
        mv.visitCode();
        new Body(mv, program, inFloat, form).emit();
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** The method body: locals 0 this, 1 tensors, 2 scalars, 3 n, 4 i, then arrays or buffers, and registers. */
    private static final class Body {
        private static final int TENSORS = 1;
        private static final int SCALARS = 2;
        private static final int N = 3;
        private static final int I = 4;

        private final MethodVisitor mv;
        private final ElementwiseProgram program;
        private final boolean inFloat;
        private final boolean buffers;
        private final boolean[] live;
        /** The local of each tensor's array or buffer, or -1 when the program neither reads nor stores it. */
        private final int[] array;
        /** The local of each register's value. */
        private final int[] local;

        Body(MethodVisitor mv, ElementwiseProgram program, boolean inFloat, Form form) {
            this.mv = mv;
            this.program = program;
            this.inFloat = inFloat;
            this.buffers = form == Form.BUFFERS;
            this.live = program.liveRegisters();
            int nt = program.tensors();
            boolean[] stored = new boolean[nt];
            for (ElementwiseProgram.Store s : program.stores()) {
                stored[s.tensor()] = true;
            }
            int next = I + 1;
            array = new int[nt];
            for (int k = 0; k < nt; k++) {
                array[k] = live[k] || stored[k] ? next++ : -1;
            }
            local = new int[program.registers()];
            int width = inFloat ? 1 : 2;
            for (int r = 0; r < local.length; r++) {
                local[r] = next;
                next += width;
            }
        }

        void emit() {
            int nt = program.tensors();
            for (int k = 0; k < nt; k++) {
                if (array[k] >= 0) {
                    mv.visitVarInsn(Opcodes.ALOAD, TENSORS);
                    push(k);
                    mv.visitInsn(Opcodes.AALOAD);
                    mv.visitTypeInsn(Opcodes.CHECKCAST, holder());
                    mv.visitVarInsn(Opcodes.ASTORE, array[k]);
                }
            }
            for (int j = 0; j < program.scalars(); j++) {
                if (live[nt + j]) {
                    mv.visitVarInsn(Opcodes.ALOAD, SCALARS);
                    push(j);
                    mv.visitInsn(Opcodes.DALOAD);
                    if (inFloat) {
                        mv.visitInsn(Opcodes.D2F);
                    }
                    store(nt + j);
                }
            }
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, I);
            Label test = new Label();
            Label body = new Label();
            mv.visitJumpInsn(Opcodes.GOTO, test);
            mv.visitLabel(body);
            for (int k = 0; k < nt; k++) {
                if (live[k]) {
                    mv.visitVarInsn(Opcodes.ALOAD, array[k]);
                    mv.visitVarInsn(Opcodes.ILOAD, I);
                    if (buffers) {
                        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, holder(), "get", "(I)" + type(), false);
                    } else {
                        mv.visitInsn(inFloat ? Opcodes.FALOAD : Opcodes.DALOAD);
                    }
                    store(k);
                }
            }
            int first = nt + program.scalars();
            List<ElementwiseProgram.Step> steps = program.steps();
            for (int s = 0; s < steps.size(); s++) {
                if (live[first + s]) {
                    ElementwiseProgram.Step step = steps.get(s);
                    if (step.unary() != null) {
                        unary(step.unary(), step.a());
                    } else {
                        binary(step.binary(), step.a(), step.b());
                    }
                    store(first + s);
                }
            }
            for (ElementwiseProgram.Store st : program.stores()) {
                mv.visitVarInsn(Opcodes.ALOAD, array[st.tensor()]);
                mv.visitVarInsn(Opcodes.ILOAD, I);
                load(st.register());
                if (buffers) {
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, holder(), "put", "(I" + type() + ")L" + holder() + ";",
                            false);
                    mv.visitInsn(Opcodes.POP);
                } else {
                    mv.visitInsn(inFloat ? Opcodes.FASTORE : Opcodes.DASTORE);
                }
            }
            mv.visitIincInsn(I, 1);
            mv.visitLabel(test);
            mv.visitVarInsn(Opcodes.ILOAD, I);
            mv.visitVarInsn(Opcodes.ILOAD, N);
            mv.visitJumpInsn(Opcodes.IF_ICMPLT, body);
            mv.visitInsn(Opcodes.RETURN);
        }

        /** F or D. */
        private String type() {
            return inFloat ? "F" : "D";
        }

        /** The internal name of what holds a tensor's elements: an array, or an NIO buffer. */
        private String holder() {
            if (buffers) {
                return inFloat ? "java/nio/FloatBuffer" : "java/nio/DoubleBuffer";
            }
            return inFloat ? "[F" : "[D";
        }

        private void push(int v) {
            if (v <= 5) {
                mv.visitInsn(Opcodes.ICONST_0 + v);
            } else {
                mv.visitIntInsn(Opcodes.SIPUSH, v);
            }
        }

        private void load(int register) {
            mv.visitVarInsn(inFloat ? Opcodes.FLOAD : Opcodes.DLOAD, local[register]);
        }

        private void store(int register) {
            mv.visitVarInsn(inFloat ? Opcodes.FSTORE : Opcodes.DSTORE, local[register]);
        }

        /** Loads a register as a double (widening a float). */
        private void loadWide(int register) {
            load(register);
            if (inFloat) {
                mv.visitInsn(Opcodes.F2D);
            }
        }

        /** Rounds the double on the stack to the compute type. */
        private void narrow() {
            if (inFloat) {
                mv.visitInsn(Opcodes.D2F);
            }
        }

        private void math(String owner, String method, int args) {
            String t = inFloat ? "F" : "D";
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, owner, method, "(" + t.repeat(args) + ")" + t, false);
        }

        /** {@code f(double)} on the register widened to double, rounded back: one tensor op's element. */
        private void inDouble(String owner, String method, int a) {
            loadWide(a);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, owner, method, "(D)D", false);
            narrow();
        }

        private void unary(UnaryOp op, int a) {
            if (inFloat && FloatKernels.inKernelOnly(op)) {
                // The float32 tensor op's own kernel, for one element: the program keeps its bits.
                mv.visitFieldInsn(Opcodes.GETSTATIC, Type.getInternalName(UnaryOp.class), op.name(),
                        Type.getDescriptor(UnaryOp.class));
                load(a);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, Type.getInternalName(FloatKernels.class), "element",
                        "(" + Type.getDescriptor(UnaryOp.class) + "F)F", false);
                return;
            }
            switch (op) {
                case NEG -> {
                    load(a);
                    mv.visitInsn(inFloat ? Opcodes.FNEG : Opcodes.DNEG);
                }
                case ABS -> {
                    load(a);
                    math(MATH, "abs", 1);
                }
                case SIGN -> {
                    load(a);
                    math(MATH, "signum", 1);
                }
                case SQUARE -> {
                    load(a);
                    load(a);
                    mv.visitInsn(inFloat ? Opcodes.FMUL : Opcodes.DMUL);
                }
                case RELU -> {
                    load(a);
                    mv.visitInsn(inFloat ? Opcodes.FCONST_0 : Opcodes.DCONST_0);
                    math(MATH, "max", 2);
                }
                case RECIPROCAL -> {
                    mv.visitInsn(inFloat ? Opcodes.FCONST_1 : Opcodes.DCONST_1);
                    load(a);
                    mv.visitInsn(inFloat ? Opcodes.FDIV : Opcodes.DDIV);
                }
                // In double, then rounded: the JIT turns (float) Math.sqrt((double) x) into a float square root.
                case SQRT -> inDouble(MATH, "sqrt", a);
                case RSQRT -> {
                    mv.visitInsn(Opcodes.DCONST_1);
                    loadWide(a);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, MATH, "sqrt", "(D)D", false);
                    mv.visitInsn(Opcodes.DDIV);
                    narrow();
                }
                case EXP -> inDouble(MATH, "exp", a);
                case LOG -> inDouble(MATH, "log", a);
                case LOG1P -> inDouble(MATH, "log1p", a);
                case TANH -> inDouble(MATH, "tanh", a);
                case SIGMOID -> inDouble(SCALAR_MATH, "sigmoid", a);
                default -> {
                    mv.visitFieldInsn(Opcodes.GETSTATIC, Type.getInternalName(UnaryOp.class), op.name(),
                            Type.getDescriptor(UnaryOp.class));
                    loadWide(a);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Type.getInternalName(ProgramCompiler.class), "element",
                            "(" + Type.getDescriptor(UnaryOp.class) + "D)D", false);
                    narrow();
                }
            }
        }

        private void binary(BinaryOp op, int a, int b) {
            switch (op) {
                case ADD -> arithmetic(Opcodes.FADD, Opcodes.DADD, a, b);
                case SUB -> arithmetic(Opcodes.FSUB, Opcodes.DSUB, a, b);
                case MUL -> arithmetic(Opcodes.FMUL, Opcodes.DMUL, a, b);
                case DIV -> arithmetic(Opcodes.FDIV, Opcodes.DDIV, a, b);
                case MAXIMUM -> {
                    load(a);
                    load(b);
                    math(MATH, "max", 2);
                }
                case MINIMUM -> {
                    load(a);
                    load(b);
                    math(MATH, "min", 2);
                }
                case POW -> {
                    loadWide(a);
                    loadWide(b);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, MATH, "pow", "(DD)D", false);
                    narrow();
                }
                // NaN compares false except for NE, as in Java: the variant of the compare
                // bytecode that sends NaN to the failing side.
                case EQ -> compare(a, b, false, Opcodes.IFNE);
                case NE -> compare(a, b, false, Opcodes.IFEQ);
                case LT -> compare(a, b, true, Opcodes.IFGE);
                case LE -> compare(a, b, true, Opcodes.IFGT);
                case GT -> compare(a, b, false, Opcodes.IFLE);
                case GE -> compare(a, b, false, Opcodes.IFLT);
                default -> {
                    mv.visitFieldInsn(Opcodes.GETSTATIC, Type.getInternalName(BinaryOp.class), op.name(),
                            Type.getDescriptor(BinaryOp.class));
                    loadWide(a);
                    loadWide(b);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Type.getInternalName(ProgramCompiler.class), "element",
                            "(" + Type.getDescriptor(BinaryOp.class) + "DD)D", false);
                    narrow();
                }
            }
        }

        private void arithmetic(int floatOp, int doubleOp, int a, int b) {
            load(a);
            load(b);
            mv.visitInsn(inFloat ? floatOp : doubleOp);
        }

        /** Pushes 1 or 0: compares with the G variant (NaN gives 1) or L (NaN gives -1), jumps to 0 on {@code fail}. */
        private void compare(int a, int b, boolean nanIsGreater, int fail) {
            load(a);
            load(b);
            if (inFloat) {
                mv.visitInsn(nanIsGreater ? Opcodes.FCMPG : Opcodes.FCMPL);
            } else {
                mv.visitInsn(nanIsGreater ? Opcodes.DCMPG : Opcodes.DCMPL);
            }
            // an int 1 or 0, converted after the join: C2 turns a diamond of int constants into a
            // conditional move, one of float constants into a branch (mispredicted on noisy data:
            // the ReLU gradient as a program ran at 2.5 ns an element, 0.5 so)
            Label zero = new Label();
            Label done = new Label();
            mv.visitJumpInsn(fail, zero);
            mv.visitInsn(Opcodes.ICONST_1);
            mv.visitJumpInsn(Opcodes.GOTO, done);
            mv.visitLabel(zero);
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitLabel(done);
            mv.visitInsn(inFloat ? Opcodes.I2F : Opcodes.I2D);
        }
    }

    /** One element of a unary op without a case in the writer, computed by the tensor op's own loop. */
    static double element(UnaryOp op, double x) {
        double[] out = new double[1];
        ChunkMath.unary(op, new double[] {x}, out, 1);
        return out[0];
    }

    /** One element of a binary op without a case in the writer, computed by the tensor op's own loop. */
    static double element(BinaryOp op, double x, double y) {
        double[] out = new double[1];
        ChunkMath.binary(op, new double[] {x}, new double[] {y}, out, 1);
        return out[0];
    }
}
