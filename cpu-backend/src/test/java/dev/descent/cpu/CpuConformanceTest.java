package dev.descent.cpu;

import dev.descent.conformance.BackendConformance;

/** The CPU backend against the backend conformance suite. */
class CpuConformanceTest extends BackendConformance {
    CpuConformanceTest() {
        super("cpu");
    }
}
