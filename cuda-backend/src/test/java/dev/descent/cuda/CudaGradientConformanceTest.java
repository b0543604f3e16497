package dev.descent.cuda;

import dev.descent.conformance.autograd.GradientConformance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The CUDA backend against the gradient conformance suite; skipped with the reason where there is no GPU. */
@ExtendWith(RequiresCuda.class)
class CudaGradientConformanceTest extends GradientConformance {
    CudaGradientConformanceTest() {
        super("cuda");
    }
}
