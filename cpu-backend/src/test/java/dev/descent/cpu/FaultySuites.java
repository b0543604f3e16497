package dev.descent.cpu;

import dev.descent.conformance.BackendConformance;
import dev.descent.conformance.ConformanceReport;
import dev.descent.conformance.autograd.GradientConformance;
import org.junit.jupiter.api.AfterAll;

/**
 * The suite against delegating backends with a fault, run by {@link FaultyBackendsTest} through
 * the JUnit launcher (their names end in neither Test nor Tests, so surefire does not run them
 * on its own: they are meant to fail).
 */
final class FaultySuites {
    static volatile ConformanceReport lastReport;
    static volatile String lastGradientSummary;

    private FaultySuites() {
    }

    /** Storage.free() frees nothing. */
    static class LeakyFreeSuite extends BackendConformance {
        LeakyFreeSuite() {
            super(DelegatingBackend.register("leaky-free", DelegatingBackend.Fault.LEAKY_FREE));
        }

        @AfterAll
        void keepReport() {
            lastReport = report();
        }
    }

    /** float32 results about 25 ulp off. */
    static class Ulp25Suite extends BackendConformance {
        Ulp25Suite() {
            super(DelegatingBackend.register("ulp-25", DelegatingBackend.Fault.FLOAT32_25_ULP));
        }

        @AfterAll
        void keepReport() {
            lastReport = report();
        }
    }

    /** The gradient suite over a backend whose Storage.free() frees nothing: every case leaks. */
    static class LeakyGradientSuite extends GradientConformance {
        LeakyGradientSuite() {
            super(DelegatingBackend.register("leaky-free", DelegatingBackend.Fault.LEAKY_FREE));
        }

        @AfterAll
        void keepSummary() {
            lastGradientSummary = summary();
        }
    }
}
