package dev.descent.cuda;

/**
 * A kernel whose source was written at run time (see {@link ProgramKernelSource}): compiled by
 * NVRTC with {@code descent.cuh} as its only header and cached on disk by a hash of its source,
 * like the files of {@code native/cuda}, then loaded once per process.
 *
 * @param label what the disk cache names the cubin after ({@code program})
 * @param name the kernel's {@code extern "C"} name in the source
 * @param source the CUDA C source
 */
record GeneratedKernel(String label, String name, String source) {
}
