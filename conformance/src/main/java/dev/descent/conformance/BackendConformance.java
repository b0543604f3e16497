package dev.descent.conformance;

import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.Capability;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The backend conformance suite. A backend runs it by extending this class in its own tests
 * and naming itself:
 *
 * <pre>{@code
 * class CpuConformanceTest extends BackendConformance {
 *     CpuConformanceTest() {
 *         super("cpu");
 *     }
 * }
 * }</pre>
 *
 * <p>Every op of the tensor API is run on fresh random inputs (several seeds; scalars, empty
 * tensors, size-1 dims, broadcasting each way, transposed, strided and expanded views, odd
 * sizes and sizes above 2^17 elements) and compared with {@link RefArray}, a float64
 * reference of plain loops, within the per-dtype bounds of {@link Tolerance}. Error paths,
 * memory release and the random generators are checked too. float64 cases run when the
 * backend has {@link Capability#FLOAT64}, integer cases when it has
 * {@link Capability#INTEGER_OPS}.
 *
 * <p>While the suite runs, the backend is the default one (factories without a device, such
 * as {@code arange} and {@code rand}, use it); the previous default is restored afterwards.
 * At the end a report prints to standard output: every op, how many cases ran, how many
 * failed, and the worst element seen (absolute and relative error, case and index). Each
 * case's name carries its seed; the system property {@code descent.conformance.seed} (a long,
 * default 1) changes every seed at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformance {
    private final String backendName;
    private Harness harness;
    private ConformanceReport report;
    private String previousDefault;

    /** @param backendName the name the backend registers under ({@code cpu}, {@code cuda}) */
    protected BackendConformance(String backendName) {
        this.backendName = backendName;
    }

    /**
     * Whether a backend that cannot run here fails the suite (the default) or skips it. A GPU
     * backend whose tests also run on machines without a GPU overrides this to return false;
     * the skip then carries the backend's own reason.
     */
    protected boolean failWhenUnavailable() {
        return true;
    }

    @BeforeAll
    void selectBackend() {
        Backend installed = Backends.installed().get(backendName);
        if (installed != null && !installed.availability().available() && !failWhenUnavailable()) {
            Assumptions.abort("backend '" + backendName + "' cannot run here: " + installed.availability().reason());
        }
        Backend backend = Backends.get(backendName);
        Device device = backend.devices().get(0);
        Set<DType> dtypes = EnumSet.of(DType.FLOAT32);
        if (backend.capabilities().contains(Capability.FLOAT64)) {
            dtypes.add(DType.FLOAT64);
        }
        if (backend.capabilities().contains(Capability.INTEGER_OPS)) {
            dtypes.add(DType.INT32);
            dtypes.add(DType.INT64);
        }
        previousDefault = Backends.defaultName();
        Backends.setDefault(backendName);
        report = new ConformanceReport(backendName);
        harness = new Harness(device, dtypes, report, Long.getLong("descent.conformance.seed", 1L));
    }

    @AfterAll
    void printReport() {
        if (report != null) {
            System.out.println(report.render());
        }
        if (previousDefault != null && Backends.installed().containsKey(previousDefault)) {
            Backends.setDefault(previousDefault);
        }
    }

    /** The report so far (for backends that want to assert on it or write it elsewhere). */
    protected ConformanceReport report() {
        return report;
    }

    @TestFactory
    @DisplayName("binary ops on two tensors broadcast and match the reference")
    Stream<DynamicNode> binaryOps() {
        return CaseSelection.select(ElementwiseCases.binaryOps(harness));
    }

    @TestFactory
    @DisplayName("binary ops with a scalar operand match the reference")
    Stream<DynamicNode> scalarOps() {
        return CaseSelection.select(ElementwiseCases.scalarOps(harness));
    }

    @TestFactory
    @DisplayName("unary ops match the reference")
    Stream<DynamicNode> unaryOps() {
        return CaseSelection.select(ElementwiseCases.unaryOps(harness));
    }

    @TestFactory
    @DisplayName("float32 unary ops and pow stay within their ulp bounds over the whole float range")
    Stream<DynamicNode> ulpSweeps() {
        return CaseSelection.select(UlpSweepCases.sweeps(harness));
    }

    @TestFactory
    @DisplayName("clamp and where match the reference")
    Stream<DynamicNode> clampAndWhere() {
        return CaseSelection.select(ElementwiseCases.clampAndWhere(harness));
    }

    @TestFactory
    @DisplayName("NaN, infinities and signed zeros follow each op's definition")
    Stream<DynamicNode> specialValues() {
        return CaseSelection.select(ElementwiseCases.specialValues(harness));
    }

    @TestFactory
    @DisplayName("reductions over any axes, with and without keepDim, match the reference")
    Stream<DynamicNode> reductions() {
        return CaseSelection.select(ReductionCases.reductions(harness));
    }

    @TestFactory
    @DisplayName("the shorthand reduction overloads reduce as documented")
    Stream<DynamicNode> shorthands() {
        return CaseSelection.select(ReductionCases.shorthands(harness));
    }

    @TestFactory
    @DisplayName("sums and products of integer-valued floats are exact in any order")
    Stream<DynamicNode> exactSums() {
        return CaseSelection.select(ReductionCases.exactSums(harness));
    }

    @TestFactory
    @DisplayName("argmax and argmin give the first extreme index")
    Stream<DynamicNode> argReductions() {
        return CaseSelection.select(ReductionCases.argReductions(harness));
    }

    @TestFactory
    @DisplayName("softmax, logSoftmax and logsumexp are stable and match the reference")
    Stream<DynamicNode> softmaxFamily() {
        return CaseSelection.select(ReductionCases.softmaxFamily(harness));
    }

    @TestFactory
    @DisplayName("one input gives bit-identical results on every run")
    Stream<DynamicNode> determinism() {
        return CaseSelection.select(ReductionCases.determinism(harness));
    }

    @TestFactory
    @DisplayName("elementwise programs (fused optimiser updates) equal their equations")
    Stream<DynamicNode> fusedUpdates() {
        return CaseSelection.select(FusedUpdateCases.fusedUpdates(harness));
    }

    @TestFactory
    @DisplayName("matmul of vectors, matrices and broadcast batches matches the reference")
    Stream<DynamicNode> matmul() {
        return CaseSelection.select(MatmulCases.matmul(harness));
    }

    @TestFactory
    @DisplayName("conv2d and its input and weight gradients match the reference on every geometry")
    Stream<DynamicNode> convolution() {
        return ConvolutionCases.convolution(harness);
    }

    @TestFactory
    @DisplayName("max, average and adaptive pooling and their gradients match the reference")
    Stream<DynamicNode> pooling() {
        return PoolingCases.pooling(harness);
    }

    @TestFactory
    @DisplayName("batch normalisation and its gradients match the reference")
    Stream<DynamicNode> batchNorm() {
        return BatchNormCases.batchNorm(harness);
    }

    @TestFactory
    @DisplayName("views present the reference's values and share memory; copies do not")
    Stream<DynamicNode> views() {
        return CaseSelection.select(ViewCases.views(harness));
    }

    @TestFactory
    @DisplayName("casts round to nearest or truncate toward zero")
    Stream<DynamicNode> casts() {
        return CaseSelection.select(ConversionCases.casts(harness));
    }

    @TestFactory
    @DisplayName("creation ops hold the values asked for")
    Stream<DynamicNode> creation() {
        return CaseSelection.select(CreationCases.creation(harness));
    }

    @TestFactory
    @DisplayName("random tensors are reproducible and have the asked-for distribution")
    Stream<DynamicNode> random() {
        return CaseSelection.select(CreationCases.random(harness));
    }

    @TestFactory
    @DisplayName("concat and stack join in order")
    Stream<DynamicNode> joining() {
        return CaseSelection.select(IndexingCases.joining(harness));
    }

    @TestFactory
    @DisplayName("gather and indexSelect pick the indexed entries")
    Stream<DynamicNode> indexing() {
        return CaseSelection.select(IndexingCases.indexing(harness));
    }

    @TestFactory
    @DisplayName("scatterAdd and indexAdd add at their indices, repeats included (integer values exactly)")
    Stream<DynamicNode> scatterAdd() {
        return SequenceCases.scatterAdd(harness);
    }

    @TestFactory
    @DisplayName("causalSoftmax keeps the lower triangle; fully masked rows are 0")
    Stream<DynamicNode> causalSoftmax() {
        return SequenceCases.causalSoftmax(harness);
    }

    @TestFactory
    @DisplayName("layerNorm and its backward pass match the float64 reference")
    Stream<DynamicNode> layerNorm() {
        return SequenceCases.layerNorm(harness);
    }

    @TestFactory
    @DisplayName("in-place ops write their target, views included, and nothing else")
    Stream<DynamicNode> inPlace() {
        return CaseSelection.select(InPlaceCases.inPlace(harness));
    }

    @TestFactory
    @DisplayName("wrong calls throw exceptions that name the op and what was given")
    Stream<DynamicNode> errors() {
        return CaseSelection.select(ErrorCases.errors(harness));
    }

    @TestFactory
    @DisplayName("scopes and close() release memory deterministically; views keep storage alive")
    Stream<DynamicNode> memory() {
        return CaseSelection.select(MemoryCases.memory(harness));
    }
}
