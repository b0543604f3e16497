package dev.descent.distributed.spi;

import java.time.Duration;

/** The rendezvous store as a backend sees it: keys are private to its group. */
public interface KeyValueStore {

    void set(String key, byte[] value);

    /** The value of {@code key}, waiting until a rank sets it; throws when {@code timeout} passes or a rank exits. */
    byte[] get(String key, Duration timeout);
}
