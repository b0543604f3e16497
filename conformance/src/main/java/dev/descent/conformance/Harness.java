package dev.descent.conformance;

import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.MemoryUse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;

/**
 * Turns case bodies into JUnit dynamic tests: each case gets its own seed (printed in its
 * name, so a failure can be replayed), runs inside a {@link Scope} that releases everything
 * it made, and lands in the report whether it passes or fails.
 */
final class Harness {
    private final Device device;
    private final Backend backend;
    private final Set<DType> dtypes;
    private final ConformanceReport report;
    private final long baseSeed;

    Harness(Device device, Set<DType> dtypes, ConformanceReport report, long baseSeed) {
        this.device = device;
        this.backend = Backends.forDevice(device);
        this.dtypes = dtypes;
        this.report = report;
        this.baseSeed = baseSeed;
    }

    /** A case body; it builds its inputs and states its expectations through the context. */
    @FunctionalInterface
    interface Body {
        void run(CaseContext c) throws Throwable;
    }

    Device device() {
        return device;
    }

    /** Of the given dtypes, those the backend supports. */
    List<DType> supported(DType... candidates) {
        return java.util.Arrays.stream(candidates).filter(dtypes::contains).toList();
    }

    List<DType> floats() {
        return supported(DType.FLOAT32, DType.FLOAT64);
    }

    List<DType> all() {
        return supported(DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64);
    }

    boolean supports(DType dtype) {
        return dtypes.contains(dtype);
    }

    /**
     * A case named {@code name}, counted under {@code category}/{@code op} in the report. Its
     * seed follows from the name and the base seed alone, so a case draws the same inputs
     * whether the whole suite runs, only its own test factory, or only itself
     * ({@link CaseSelection}).
     */
    DynamicTest test(String category, String op, String name, Body body) {
        long seed = baseSeed * 1_000_003L + (name.hashCode() & 0xFFFF_FFFFL);
        String display = name + " (seed " + seed + ")";
        return DynamicTest.dynamicTest(display, () -> run(category, op, display, seed, body));
    }

    private void run(String category, String op, String display, long seed, Body body) throws Throwable {
        CaseContext c = new CaseContext(device, new Generator(seed), op + ": " + display);
        MemoryUse before = backend.memoryInUse(device);
        try {
            Scope scope = Scope.open();
            try (scope) {
                body.run(c);
            }
            MemoryUse after = backend.memoryInUse(device);
            if (leaks(before, after)) {
                // A cache filled at first use is not a leak: run the case again, and fail only if
                // it leaks again.
                try (Scope again = Scope.open()) {
                    body.run(new CaseContext(device, new Generator(seed), op + ": " + display));
                }
                checkNoLeak(op + ": " + display, after, backend.memoryInUse(device));
            }
        } catch (org.opentest4j.TestAbortedException skipped) {
            // A case that does not apply to this backend is neither passed nor failed.
            throw skipped;
        } catch (Throwable t) {
            // Assertion messages already start with the op and case; other exceptions get them here.
            String reason = t instanceof AssertionError ? firstLine(t.getMessage()) : op + ": " + display + ": " + t;
            report.failed(category, op, display, c.worst(), reason);
            throw CaseSelection.trimmed(t);
        }
        report.passed(category, op, display, c.worst());
    }

    /**
     * Every storage a case allocated must be free when its {@link Scope} has closed: more live
     * storages (or bytes) after the case than before it, when the case is run a second time too,
     * is a leak, whatever the values were. A backend that does not report its memory is failed
     * once, by the memory cases, not here.
     */
    static boolean leaks(MemoryUse before, MemoryUse after) {
        return before.reported() && after.reported()
                && (after.storages() > before.storages() || after.bytes() > before.bytes());
    }

    static void checkNoLeak(String what, MemoryUse before, MemoryUse after) {
        if (leaks(before, after)) {
            throw new AssertionError(String.format(java.util.Locale.ROOT, "%s: leaked memory: %d storage(s), %d"
                    + " byte(s) still live after the case's Scope closed (live before: %d storages, %d bytes; after:"
                    + " %d, %d); Storage.free() must release what Backend.allocate() took", what,
                    after.storages() - before.storages(), after.bytes() - before.bytes(), before.storages(),
                    before.bytes(), after.storages(), after.bytes()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String dims(int... shape) {
        return java.util.Arrays.toString(shape);
    }
}
