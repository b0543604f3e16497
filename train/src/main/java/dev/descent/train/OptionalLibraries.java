package dev.descent.train;

/**
 * The optional dependencies of {@code descent-train}, looked up by name: a class that referred
 * to them would fail to load (the JVM verifies a class against the types it uses) in a project
 * that, wanting only the loop, does not have them.
 */
public final class OptionalLibraries {
    /** {@code org.knowm.xchart:xchart}, for the learning-curve charts. */
    public static final String CHARTS = "org.knowm.xchart:xchart";
    /** {@code me.tongfei:progressbar}, for the bar on a terminal. */
    public static final String PROGRESS_BAR = "me.tongfei:progressbar";

    private OptionalLibraries() {
    }

    /** Whether the chart library is on the class path. */
    public static boolean hasCharts() {
        return present("org.knowm.xchart.XYChart");
    }

    /** Whether the progress-bar library is on the class path. */
    public static boolean hasProgressBar() {
        return present("me.tongfei.progressbar.ProgressBar");
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, OptionalLibraries.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
