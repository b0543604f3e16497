package dev.descent.distributed.nccl;

import dev.descent.core.Backends;
import dev.descent.core.Device;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.Backend.Availability;
import dev.descent.distributed.spi.CollectiveBackend;
import dev.descent.distributed.spi.Collectives;
import dev.descent.distributed.spi.Membership;
import java.util.List;
import org.bytedeco.cuda.global.nccl;
import org.bytedeco.javacpp.Loader;

/**
 * Collectives on CUDA tensors with NVIDIA's NCCL, through the bytedeco CUDA presets' bindings
 * (the library itself, {@code libnccl.so.2}, comes from the machine: NVIDIA's {@code libnccl2}
 * package or the CUDA redistributables). Needs Descent's {@code cuda} compute backend: NCCL's
 * kernels are queued on its stream. Not yet run on a GPU (see the module README).
 */
public final class NcclBackend implements CollectiveBackend {
    private Availability availability;

    @Override
    public String name() {
        return "nccl";
    }

    @Override
    public synchronized Availability availability() {
        if (availability == null) {
            availability = probe();
        }
        return availability;
    }

    private static Availability probe() {
        Backend cuda = Backends.installed().get("cuda");
        if (cuda == null) {
            return Availability.no("NCCL exchanges CUDA tensors, and Descent's cuda backend (descent-cuda-backend) is "
                    + "not on the class path");
        }
        Availability a = cuda.availability();
        if (!a.available()) {
            return Availability.no("NCCL exchanges CUDA tensors, and the cuda backend cannot run here: " + a.reason());
        }
        try {
            Loader.load(nccl.class);
            int[] version = new int[1];
            int status = nccl.ncclGetVersion(version);
            if (status != nccl.ncclSuccess) {
                return Availability.no("NCCL is installed but ncclGetVersion failed with status " + status);
            }
            return Availability.yes();
        } catch (Throwable t) {
            return Availability.no("NCCL (libnccl.so.2) could not be loaded (" + t.getMessage() + "): install NVIDIA's "
                    + "libnccl2 package, or put NCCL's lib folder on LD_LIBRARY_PATH");
        }
    }

    /** The GPU of {@code localRank} among the cuda backend's devices (one per process when each sees one). */
    @Override
    public Device device(int localRank) {
        List<Device> devices = Backends.get("cuda").devices();
        return devices.get(localRank % devices.size());
    }

    @Override
    public Collectives connect(Membership member) {
        return NcclCollectives.connect(member);
    }
}
