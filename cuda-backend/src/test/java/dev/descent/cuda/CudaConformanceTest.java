package dev.descent.cuda;

import dev.descent.conformance.BackendConformance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The CUDA backend against the backend conformance suite; skipped with the reason where there is no GPU. */
@ExtendWith(RequiresCuda.class)
class CudaConformanceTest extends BackendConformance {
    CudaConformanceTest() {
        super("cuda");
    }

    @Override
    protected boolean failWhenUnavailable() {
        return false;
    }
}
