package dev.descent.cpu;

import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.ReduceOp;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * A backend that hands every call to the CPU backend, as a backend author's first wrapper would
 * (see {@link Backend} on wrapping): its storages wrap the CPU's and report its own device, and
 * every call unwraps them. Two faults can be switched on, to show that the conformance suite
 * catches them: a {@link Storage#free()} that frees nothing, and float32 results off by about
 * 25 ulp (each multiplied by 1 + 25·2^-23 after the CPU computed it: 25 to 50 ulps).
 */
final class DelegatingBackend implements InvocationHandler {
    /** The fault to inject. */
    enum Fault {
        NONE, LEAKY_FREE, FLOAT32_25_ULP
    }

    private static final double ULP_25 = 1 + 25 * 0x1p-23;

    private final String name;
    private final Device device;
    private final Fault fault;
    private final Backend cpu = Backends.get("cpu");

    private DelegatingBackend(String name, Fault fault) {
        this.name = name;
        this.device = new Device(name, 0);
        this.fault = fault;
    }

    /** Registers a delegating backend named {@code name} (once) and returns the name. */
    static synchronized String register(String name, Fault fault) {
        if (!Backends.installed().containsKey(name)) {
            Backends.register((Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                    new Class<?>[] {Backend.class}, new DelegatingBackend(name, fault)));
        }
        return name;
    }

    /** A CPU storage that reports the delegating device. */
    private final class Wrapped implements Storage {
        final Storage inner;

        Wrapped(Storage inner) {
            this.inner = inner;
        }

        @Override
        public Device device() {
            return device;
        }

        @Override
        public DType dtype() {
            return inner.dtype();
        }

        @Override
        public long elements() {
            return inner.elements();
        }

        @Override
        public void free() {
            if (fault != Fault.LEAKY_FREE) {
                inner.free();
            }
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "name":
                return name;
            case "devices":
                return List.of(device);
            case "allocate":
                return new Wrapped(cpu.allocate(Device.cpu(), (DType) args[1], (long) args[2]));
            case "memoryInUse":
                return cpu.memoryInUse(Device.cpu());
            case "toString":
                return "DelegatingBackend(" + name + ", " + fault + ")";
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                break;
        }
        Object[] inner = args == null ? null : new Object[args.length];
        for (int i = 0; inner != null && i < args.length; i++) {
            inner[i] = unwrap(args[i]);
        }
        Object result;
        try {
            result = method.invoke(cpu, inner);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (fault == Fault.FLOAT32_25_ULP) {
            for (StridedView out : outputs(method.getName(), inner, result)) {
                if (out.dtype() == DType.FLOAT32) {
                    cpu.binaryScalar(BinaryOp.MUL, out, ULP_25, out);
                }
            }
        }
        return result;
    }

    /** The views a call wrote whose values the suite compares with its reference. */
    private static List<StridedView> outputs(String method, Object[] args, Object result) {
        List<StridedView> out = new ArrayList<>();
        switch (method) {
            case "unary", "matmul" -> out.add((StridedView) args[2]);
            case "softmax" -> out.add((StridedView) args[3]);
            case "binary" -> {
                if (isArithmetic((BinaryOp) args[0])) {
                    out.add((StridedView) args[3]);
                }
            }
            case "binaryScalar" -> {
                if (isArithmetic((BinaryOp) args[0])) {
                    out.add((StridedView) args[3]);
                }
            }
            case "addScaled" -> out.add((StridedView) args[2]);
            case "reduce" -> {
                if (args[0] == ReduceOp.SUM) {
                    out.add((StridedView) args[3]);
                }
            }
            case "runProgram" -> {
                if (Boolean.TRUE.equals(result)) {
                    ElementwiseProgram p = (ElementwiseProgram) args[0];
                    @SuppressWarnings("unchecked")
                    List<StridedView[]> sets = (List<StridedView[]>) args[1];
                    for (StridedView[] set : sets) {
                        for (ElementwiseProgram.Store s : p.stores()) {
                            out.add(set[s.tensor()]);
                        }
                    }
                }
            }
            default -> {
            }
        }
        return out;
    }

    private static boolean isArithmetic(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, POW -> true;
            default -> false;
        };
    }

    private Object unwrap(Object arg) {
        if (arg instanceof Wrapped w) {
            return w.inner;
        }
        if (arg instanceof Device d && d.equals(device)) {
            return Device.cpu();
        }
        if (arg instanceof StridedView v && v.storage() instanceof Wrapped w) {
            return new StridedView(w.inner, v.dtype(), v.offset(), v.shape(), v.strides());
        }
        if (arg instanceof StridedView[] views) {
            StridedView[] out = new StridedView[views.length];
            for (int i = 0; i < views.length; i++) {
                out[i] = (StridedView) unwrap(views[i]);
            }
            return out;
        }
        if (arg instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(unwrap(o));
            }
            return out;
        }
        if (arg != null && arg.getClass().isArray() && !arg.getClass().getComponentType().isPrimitive()) {
            Object out = Array.newInstance(arg.getClass().getComponentType(), Array.getLength(arg));
            for (int i = 0; i < Array.getLength(out); i++) {
                Array.set(out, i, unwrap(Array.get(arg, i)));
            }
            return out;
        }
        return arg;
    }
}
