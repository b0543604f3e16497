package dev.descent.cpu;

import dev.descent.conformance.autograd.GradientConformance;

/** The CPU backend against the gradient conformance suite: every op's backward rule, checked here. */
class CpuGradientConformanceTest extends GradientConformance {
    CpuGradientConformanceTest() {
        super("cpu");
    }
}
