package dev.descent.core;

/**
 * Where a tensor's memory lives: a backend (by name) and a device index within it.
 *
 * @param backend the backend's name, for example {@code cpu} or {@code cuda}
 * @param index the device index within that backend, from 0
 */
public record Device(String backend, int index) {

    public Device {
        if (backend == null || backend.isBlank()) {
            throw new IllegalArgumentException("Device: expected a backend name, got " + backend);
        }
        if (index < 0) {
            throw new IllegalArgumentException("Device: expected an index >= 0, got " + index);
        }
    }

    /** The CPU device. */
    public static Device cpu() {
        return new Device("cpu", 0);
    }

    @Override
    public String toString() {
        return backend + ":" + index;
    }
}
