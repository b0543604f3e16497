package dev.descent.cuda;

import static org.bytedeco.cuda.global.nvrtc.nvrtcCompileProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCreateProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcDestroyProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBIN;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBINSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLog;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLogSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcVersion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Compiles a kernel source with NVRTC to a cubin for the exact architecture of the device
 * ({@code --gpu-architecture=sm_XY}), never to PTX alone: PTX from an NVRTC newer than the
 * driver cannot be loaded, while a cubin needs no JIT. Cubins are cached on disk under
 * {@code descent.cuda.kernelCache} (default {@code ~/.cache/descent/cuda}), keyed by a hash of
 * the source, the headers (including the generated {@link OpTable#HEADER}), the options and the
 * NVRTC version, so only the first run on a
 * machine pays for compilation; an unwritable cache only costs that time again.
 */
final class KernelCompiler {
    private final int arch;
    private final Path cacheDir;
    private final String nvrtcVersion;

    KernelCompiler(int arch) {
        this.arch = arch;
        this.cacheDir = Path.of(System.getProperty("descent.cuda.kernelCache",
                System.getProperty("user.home") + "/.cache/descent/cuda"));
        int[] major = new int[1];
        int[] minor = new int[1];
        nvrtcVersion = nvrtcVersion(major, minor) == 0 ? major[0] + "." + minor[0] : "unknown";
    }

    /** The options every kernel is compiled with. */
    List<String> options() {
        return List.of("--gpu-architecture=sm_" + arch, "--std=c++17");
    }

    /** The cubin of {@code file}, from the cache or freshly compiled. */
    byte[] cubin(String file) {
        return cubin(file, KernelSources.read(file));
    }

    /**
     * The cubin of a source (a file's, or one generated at run time), from the cache or freshly
     * compiled; {@code file} names it in the cache and in errors.
     */
    byte[] cubin(String file, String source) {
        String header = KernelSources.read(KernelSources.HEADER);
        String ops = OpTable.header();
        String key = hash(source, header, ops, String.join(" ", options()), nvrtcVersion);
        Path cached = cacheDir.resolve(file.replace(".cu", "") + "-sm_" + arch + "-" + key + ".cubin");
        try {
            if (Files.isRegularFile(cached)) {
                return Files.readAllBytes(cached);
            }
        } catch (IOException e) {
            // Unreadable cache: compile again below.
        }
        byte[] cubin = compile(file, source, header, ops);
        store(cached, cubin);
        return cubin;
    }

    /** Compiles with the two headers a source may include: {@code descent.cuh} and the generated op functions. */
    private byte[] compile(String file, String source, String header, String ops) {
        String op = "compile kernels " + file + " for sm_" + arch;
        _nvrtcProgram program = new _nvrtcProgram();
        try (BytePointer src = new BytePointer(source, StandardCharsets.UTF_8);
                BytePointer name = new BytePointer(file);
                PointerPointer<BytePointer> headers = new PointerPointer<>(new BytePointer(header, StandardCharsets.UTF_8),
                        new BytePointer(ops, StandardCharsets.UTF_8));
                PointerPointer<BytePointer> headerNames = new PointerPointer<>(KernelSources.HEADER, OpTable.HEADER)) {
            CudaErrors.nvrtc(nvrtcCreateProgram(program, src, name, 2, headers, headerNames), op, "nvrtcCreateProgram");
            List<String> opts = options();
            int status;
            try (PointerPointer<BytePointer> options = new PointerPointer<>(opts.toArray(new String[0]))) {
                status = nvrtcCompileProgram(program, opts.size(), options);
            }
            if (status != 0) {
                throw new CudaException("cuda: " + op + ": NVRTC " + nvrtcVersion + " failed:\n" + log(program));
            }
            try (SizeTPointer size = new SizeTPointer(1)) {
                CudaErrors.nvrtc(nvrtcGetCUBINSize(program, size), op, "nvrtcGetCUBINSize");
                try (BytePointer cubin = new BytePointer(size.get())) {
                    CudaErrors.nvrtc(nvrtcGetCUBIN(program, cubin), op, "nvrtcGetCUBIN");
                    byte[] bytes = new byte[(int) size.get()];
                    cubin.get(bytes);
                    return bytes;
                }
            }
        } finally {
            if (!program.isNull()) {
                nvrtcDestroyProgram(program);
            }
        }
    }

    private static String log(_nvrtcProgram program) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            if (nvrtcGetProgramLogSize(program, size) != 0) {
                return "(no log)";
            }
            try (BytePointer log = new BytePointer(size.get())) {
                nvrtcGetProgramLog(program, log);
                return log.getString();
            }
        }
    }

    /** Writes through a temporary file and a rename, so a concurrent reader never sees half a cubin. */
    private static void store(Path target, byte[] cubin) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "kernel", ".tmp");
            Files.write(tmp, cubin);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            // The cache is an optimisation; the compiled cubin is still used.
        }
    }

    static String hash(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                sha.update(p.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
