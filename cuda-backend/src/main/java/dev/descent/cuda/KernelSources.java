package dev.descent.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The CUDA C sources of Descent's kernels ({@code native/cuda} in the repository), which the
 * build copies into the jar under {@code dev/descent/cuda/kernels/}.
 */
final class KernelSources {
    /** The header every source includes. */
    static final String HEADER = "descent.cuh";
    /** Every source, one module each. */
    static final List<String> FILES = List.of("elementwise.cu", "reduce.cu", "softmax.cu", "gather.cu");

    private KernelSources() {
    }

    static String read(String file) {
        String path = "kernels/" + file;
        try (InputStream in = KernelSources.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new CudaException("cuda: kernel source " + path + " is missing from the class path "
                        + "(the jar is built from native/cuda)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cuda: reading kernel source " + path, e);
        }
    }
}
