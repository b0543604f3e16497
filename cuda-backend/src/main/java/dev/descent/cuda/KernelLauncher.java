package dev.descent.cuda;

/**
 * Launches a kernel of {@code native/cuda} by file and name. {@link CudaContext} launches on
 * the device; the tests record launches to check each one's arguments against the kernel's
 * signature without a GPU.
 */
interface KernelLauncher {
    /** Launches over {@code n} elements with a grid-stride loop of {@link CudaContext#BLOCK} threads per block. */
    void launch(String op, String file, String name, long n, KernelArgs args);

    /** Launches with an explicit grid, block and dynamic shared memory. */
    void launch(String op, String file, String name, int grid, int block, int sharedBytes, KernelArgs args);

    /** Launches a kernel generated at run time over {@code n} elements, like {@link #launch(String, String, String, long, KernelArgs)}. */
    void launch(String op, GeneratedKernel kernel, long n, KernelArgs args);

    /**
     * Launches a kernel generated at run time whose blocks of {@link CudaContext#BLOCK}
     * threads each take one unit of work ({@code blocks} of them; at most 32 blocks per
     * multiprocessor are launched, and the kernel's grid-stride loop over units does the rest).
     */
    void launchBlocks(String op, GeneratedKernel kernel, long blocks, KernelArgs args);
}
