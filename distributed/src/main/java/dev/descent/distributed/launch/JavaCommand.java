package dev.descent.distributed.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line that starts a Java program in a new JVM with this JVM's class path. */
public final class JavaCommand {
    private JavaCommand() {
    }

    /** This JVM's {@code java} binary. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * This JVM's class path: under surefire the test class path (surefire runs tests from a
     * manifest-only jar), else {@code java.class.path}.
     */
    public static String classPath() {
        String tests = System.getProperty("surefire.test.class.path");
        return tests != null && !tests.isBlank() ? tests : System.getProperty("java.class.path");
    }

    /** {@code java <jvmOptions> -cp <this class path> <mainClass> <args>}. */
    public static List<String> of(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> c = new ArrayList<>();
        c.add(javaBinary());
        c.addAll(jvmOptions);
        c.add("-cp");
        c.add(classPath());
        c.add(mainClass);
        c.addAll(args);
        return c;
    }
}
