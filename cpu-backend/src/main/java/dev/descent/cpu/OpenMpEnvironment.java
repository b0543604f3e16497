package dev.descent.cpu;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The OpenMP settings oneDNN's runtime (libgomp) reads once, when it is loaded, set in this
 * process's environment first unless the user set them: {@code OMP_WAIT_POLICY=passive}, because
 * libgomp's idle threads otherwise spin for milliseconds after every parallel region, on the cores
 * the backend's own threads need next (the CNN training step ran 1.35x slower for it on 2 cores),
 * and {@code OMP_NUM_THREADS} = the backend's thread count ({@code descent.cpu.threads}).
 */
final class OpenMpEnvironment {
    private OpenMpEnvironment() {
    }

    /** The C library's setenv, through JNA (Java has no way to change its own process environment). */
    private interface C extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /**
     * Sets the variables the user left unset; call before oneDNN's classes load. Where JNA cannot
     * reach the C library, libgomp keeps its defaults: slower, not wrong.
     */
    static void prepare() {
        C c;
        try {
            c = Native.load("c", C.class);
        } catch (LinkageError noJna) {
            return;
        }
        setUnlessSet(c, "OMP_WAIT_POLICY", "passive");
        setUnlessSet(c, "OMP_NUM_THREADS", Integer.toString(CpuThreads.threads()));
    }

    private static void setUnlessSet(C c, String name, String value) {
        if (System.getenv(name) == null) {
            c.setenv(name, value, 0);
        }
    }
}
