package dev.descent.cuda;

import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.javacpp.BytePointer;

/**
 * Descent's kernels on the device: each source of {@code native/cuda} is compiled and loaded
 * as a module the first time one of its kernels is asked for, and each kernel is looked up
 * once. Modules stay loaded for the life of the process.
 */
final class KernelLibrary {
    private final KernelCompiler compiler;
    private final Map<String, CUmod_st> modules = new HashMap<>();
    private final Map<String, CUfunc_st> functions = new HashMap<>();
    // Generated kernels by source: each source is its own module, loaded once.
    private final Map<String, CUfunc_st> generated = new HashMap<>();

    KernelLibrary(KernelCompiler compiler) {
        this.compiler = compiler;
    }

    /** The kernel {@code name} ({@code extern "C"}) from the source {@code file}. */
    synchronized CUfunc_st function(String file, String name) {
        CUfunc_st f = functions.get(name);
        if (f != null) {
            return f;
        }
        CUmod_st module = modules.computeIfAbsent(file, this::load);
        f = new CUfunc_st();
        CudaErrors.driver(cuModuleGetFunction(f, module, name), "load kernel " + name, "cuModuleGetFunction");
        functions.put(name, f);
        return f;
    }

    /** The kernel of a generated source, compiled (or read from the disk cache) and loaded on first use. */
    synchronized CUfunc_st function(GeneratedKernel kernel) {
        CUfunc_st f = generated.get(kernel.source());
        if (f != null) {
            return f;
        }
        CUmod_st module = loadCubin(compiler.cubin(kernel.label(), kernel.source()), kernel.label());
        f = new CUfunc_st();
        CudaErrors.driver(cuModuleGetFunction(f, module, kernel.name()), "load kernel " + kernel.name(),
                "cuModuleGetFunction");
        generated.put(kernel.source(), f);
        return f;
    }

    private CUmod_st load(String file) {
        return loadCubin(compiler.cubin(file), file);
    }

    private static CUmod_st loadCubin(byte[] cubin, String file) {
        CUmod_st module = new CUmod_st();
        try (BytePointer image = new BytePointer(cubin.length)) {
            image.put(cubin);
            CudaErrors.driver(cuModuleLoadData(module, image), "load kernels " + file, "cuModuleLoadData");
        }
        return module;
    }
}
