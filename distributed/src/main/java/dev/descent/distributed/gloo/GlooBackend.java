package dev.descent.distributed.gloo;

import dev.descent.core.Device;
import dev.descent.core.spi.Backend.Availability;
import dev.descent.distributed.spi.CollectiveBackend;
import dev.descent.distributed.spi.Collectives;
import dev.descent.distributed.spi.Membership;

/**
 * Collectives on CPU tensors over TCP with Gloo (https://github.com/facebookincubator/gloo),
 * the library PyTorch uses for CPU tensors; Debian packages it as {@code libgloo-dev}. See
 * {@link GlooLibrary} for how the binding is built, and {@link GlooCollectives} for how calls run.
 */
public final class GlooBackend implements CollectiveBackend {

    @Override
    public String name() {
        return "gloo";
    }

    @Override
    public Availability availability() {
        return GlooLibrary.availability();
    }

    @Override
    public Device device(int localRank) {
        return Device.cpu();
    }

    @Override
    public Collectives connect(Membership member) {
        return GlooCollectives.connect(member);
    }
}
