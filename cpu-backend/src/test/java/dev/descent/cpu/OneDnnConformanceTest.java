package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.conformance.BackendConformance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The CPU backend with oneDNN's convolutions ({@code descent.cpu.convolutions=onednn}) against
 * the backend conformance suite: its float32 convolution cases (odd sizes, strides larger than
 * the kernel, dilation, groups, non-contiguous operands) then run on oneDNN.
 */
class OneDnnConformanceTest extends BackendConformance {
    private long runsBefore;
    private long declinedBefore;

    OneDnnConformanceTest() {
        super("cpu");
    }

    @BeforeAll
    void chooseOneDnn() {
        runsBefore = OneDnnConvolution.runs();
        declinedBefore = OneDnnConvolution.declined();
        OneDnnConvolution.setEnabled(true);
    }

    @AfterAll
    void restoreAndCheckOneDnnRan() {
        OneDnnConvolution.followProperty();
        long runs = OneDnnConvolution.runs() - runsBefore;
        System.out.println("oneDNN convolution calls: " + runs + ", shapes declined: "
                + (OneDnnConvolution.declined() - declinedBefore));
        assertTrue(runs >= 100, "the suite's float32 convolutions ran on oneDNN: " + runs + " calls");
        assertEquals(0, OneDnnConvolution.declined() - declinedBefore, "shapes oneDNN declined");
    }
}
