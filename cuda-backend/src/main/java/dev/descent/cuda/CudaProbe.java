package dev.descent.cuda;

import static org.bytedeco.cuda.global.cudart.cudaDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion;

import dev.descent.core.spi.Backend.Availability;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.Loader;

/**
 * Finds out whether the CUDA backend can run here, naming what is missing: the CUDA runtime,
 * cuBLAS or NVRTC library, the NVIDIA driver, or a GPU. Every native call sits behind a
 * {@code catch (Throwable)}, so a machine without CUDA gets a reason, never a crash.
 */
final class CudaProbe {
    private static final String LIBRARY_HINT = "install the CUDA 13 toolkit (or its libraries) and put its lib "
            + "folder on LD_LIBRARY_PATH, or build with -Pcuda-redist to take them from Maven Central";

    private CudaProbe() {
    }

    /** What the probe found. */
    record Result(Availability availability, int devices, int driverVersion, int runtimeVersion) {
    }

    static Result probe() {
        try {
            return probeUnsafe();
        } catch (Throwable t) {
            return new Result(Availability.no("probing CUDA failed unexpectedly: " + t), 0, 0, 0);
        }
    }

    private static Result probeUnsafe() {
        String cudartProblem = load(cudart.class);
        if (cudartProblem != null) {
            // The presets' JNI library links the driver's libcuda.so.1 as well: name the one missing.
            String reason = cudartProblem.startsWith("libcuda.so")
                    ? "no NVIDIA driver: libcuda.so.1, which the NVIDIA driver installs, was not found (" + cudartProblem
                            + "), so there is no usable GPU here"
                    : "the CUDA runtime library (libcudart.so.13) could not be loaded (" + cudartProblem + "); "
                            + LIBRARY_HINT;
            return new Result(Availability.no(reason), 0, 0, 0);
        }
        List<String> missing = new ArrayList<>();
        int[] runtime = new int[1];
        cudaRuntimeGetVersion(runtime);
        int[] driver = new int[1];
        int status = cudaDriverGetVersion(driver);
        int devices = 0;
        if (status != 0 || driver[0] == 0) {
            cudaGetLastError();
            missing.add("no NVIDIA driver: the CUDA runtime " + version(runtime[0])
                    + " found no libcuda.so.1 (cudaDriverGetVersion gives " + driver[0] + ")");
        } else {
            int[] count = new int[1];
            status = cudaGetDeviceCount(count);
            if (status != 0) {
                cudaGetLastError();
                missing.add("no usable GPU: cudaGetDeviceCount failed with " + CudaErrors.runtimeName(status)
                        + " (driver supports CUDA " + version(driver[0]) + ", runtime is " + version(runtime[0]) + ")");
            } else if (count[0] == 0) {
                missing.add("no GPU: the NVIDIA driver (CUDA " + version(driver[0]) + ") sees 0 devices");
            }
            devices = count[0];
        }
        String cublasProblem = load(cublas.class);
        String nvrtcProblem = load(nvrtc.class);
        if (cublasProblem != null) {
            missing.add("cuBLAS (libcublas.so.13) could not be loaded (" + cublasProblem + ")");
        }
        if (nvrtcProblem != null) {
            missing.add("NVRTC (libnvrtc.so.13) could not be loaded (" + nvrtcProblem + ")");
        }
        if (cublasProblem != null || nvrtcProblem != null) {
            missing.add(LIBRARY_HINT);
        }
        Availability a = missing.isEmpty() ? Availability.yes() : Availability.no(String.join("; ", missing));
        return new Result(a, devices, driver[0], runtime[0]);
    }

    /** Null when the preset's natives load, else what failed, naming the shared library not found. */
    private static String load(Class<?> preset) {
        try {
            Loader.load(preset);
            return null;
        } catch (Throwable t) {
            return rootCause(t);
        }
    }

    /** The innermost message: JavaCPP's own says only "no jni... in java.library.path". */
    private static String rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = String.valueOf(root.getMessage());
        int so = m.lastIndexOf(".so: ");
        if (so >= 0) {
            m = m.substring(so + 5); // drop the path of the extracted JNI library
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** 13000 -> "13.0". */
    static String version(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }
}
