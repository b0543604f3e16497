package dev.descent.core;

import dev.descent.core.spi.Backend;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Finds backends with {@link ServiceLoader} (or takes them from {@link #register}) and chooses
 * the default one: the name given to {@link #setDefault}, else the system property
 * {@code descent.backend}, else the environment variable {@code DESCENT_BACKEND}, else
 * {@code cpu}.
 */
public final class Backends {
    private static final Map<String, Backend> FOUND = discover();
    private static volatile String defaultName;

    private Backends() {
    }

    private static Map<String, Backend> discover() {
        Map<String, Backend> found = Collections.synchronizedMap(new LinkedHashMap<>());
        for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
            found.putIfAbsent(b.name(), b);
        }
        return found;
    }

    /**
     * Adds a backend made in code rather than found on the class path: one that wraps another to
     * count or trace its calls, say (see {@link Backend} on wrapping). Its tensors are made by
     * naming it ({@link #setDefault}, or a device with its name).
     *
     * @throws IllegalArgumentException when a backend of that name is already known
     */
    public static void register(Backend backend) {
        Check.argument(backend != null, "Backends.register", "expected a backend, got null");
        Check.argument(FOUND.putIfAbsent(backend.name(), backend) == null, "Backends.register",
                "a backend named '%s' is already known (%s)", backend.name(), FOUND.keySet());
    }

    /** Every backend on the class path, available or not, by name. */
    public static Map<String, Backend> installed() {
        synchronized (FOUND) {
            return Map.copyOf(FOUND);
        }
    }

    /**
     * The backend of that name, ready to use.
     *
     * @throws BackendUnavailableException if none of that name is installed or it cannot run
     *     here; the message says which and why
     */
    public static Backend get(String name) {
        Backend b = FOUND.get(name);
        if (b == null) {
            throw new BackendUnavailableException("backend '" + name + "' is not installed (installed: "
                    + FOUND.keySet() + "): " + howToInstall(name));
        }
        Backend.Availability a = b.availability();
        if (!a.available()) {
            throw new BackendUnavailableException("backend '" + name + "' is installed but cannot run here: " + a.reason());
        }
        return b;
    }

    /**
     * What to add for a missing backend. The API jars carry no backend (a GPU-only application
     * should not ship OpenBLAS), so the first tensor of a project that depends on them alone
     * lands here: the message gives the Maven coordinates.
     */
    private static String howToInstall(String name) {
        String artifact = switch (name) {
            case "cpu" -> "dev.descent:descent-cpu-backend";
            case "cuda" -> "dev.descent:descent-cuda-backend";
            default -> null;
        };
        if (artifact == null) {
            return "add the jar that provides it (a " + Backend.class.getName() + " service) to the class path,"
                    + " or register it with Backends.register";
        }
        return "add the dependency " + artifact + " (runtime scope; versions from the BOM dev.descent:descent-bom)"
                + " to the class path";
    }

    /** The backend that drives {@code device}. */
    public static Backend forDevice(Device device) {
        Backend b = get(device.backend());
        if (device.index() >= b.devices().size()) {
            throw new BackendUnavailableException("device " + device + " does not exist: backend '"
                    + b.name() + "' has " + b.devices().size() + " device(s)");
        }
        return b;
    }

    /** Sets the default backend by name for tensors created without a device. */
    public static void setDefault(String name) {
        get(name);
        defaultName = name;
    }

    /** The name of the default backend, following the order in the class comment. */
    public static String defaultName() {
        String n = defaultName;
        if (n == null) {
            n = System.getProperty("descent.backend");
        }
        if (n == null || n.isBlank()) {
            n = System.getenv("DESCENT_BACKEND");
        }
        return n == null || n.isBlank() ? "cpu" : n.trim();
    }

    /** The first device of the default backend. */
    public static Device defaultDevice() {
        Backend b = get(defaultName());
        return b.devices().get(0);
    }
}
