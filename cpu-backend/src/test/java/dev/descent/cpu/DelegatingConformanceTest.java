package dev.descent.cpu;

import dev.descent.conformance.BackendConformance;

/**
 * A backend that delegates to the CPU backend, wrapping its storages (see {@code Backend} on
 * wrapping), passes the whole suite, leak checks included: the suite runs against a backend
 * registered in code as against one found on the class path.
 */
class DelegatingConformanceTest extends BackendConformance {
    DelegatingConformanceTest() {
        super(DelegatingBackend.register("delegating", DelegatingBackend.Fault.NONE));
    }
}
