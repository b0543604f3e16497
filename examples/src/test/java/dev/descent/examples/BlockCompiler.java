package dev.descent.examples;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a {@link ReadmeBlock} with javac (in memory, against the test class path) and runs
 * it. The block gets an import for every public Descent type it names by its simple name (the
 * types found on the class path) and the packages {@code java.util}, {@code java.util.function},
 * {@code java.io} and {@code java.nio.file}; nothing else is added to it.
 */
final class BlockCompiler {
    private static final Pattern TYPE_NAME = Pattern.compile("\\b[A-Z][A-Za-z0-9_]*\\b");
    private static final List<String> STAR_IMPORTS = List.of("java.util", "java.util.function", "java.io",
            "java.nio.file");

    private final String classPath;
    private final Map<String, Set<String>> descentTypes;

    BlockCompiler() {
        String cp = System.getProperty("surefire.test.class.path");
        classPath = cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
        descentTypes = scan(classPath);
    }

    /** How many Descent types the class path holds (a guard against scanning nothing). */
    int typesFound() {
        return descentTypes.size();
    }

    /** The Java source the block compiles as. */
    String source(ReadmeBlock block, String className) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String l : block.code().split("\n", -1)) {
            if (l.strip().startsWith("import ")) {
                imports.append(l.strip()).append('\n');
            } else {
                body.append(l).append('\n');
            }
        }
        for (String p : STAR_IMPORTS) {
            imports.append("import ").append(p).append(".*;\n");
        }
        for (String fqn : importsFor(block.code() + "\n" + block.setup())) {
            imports.append("import ").append(fqn).append(";\n");
        }
        StringBuilder src = new StringBuilder(imports).append('\n');
        if (block.declares()) {
            src.append(body).append('\n');
        }
        src.append("public class ").append(className).append(" {\n")
                .append("    public static void run() throws Throwable {\n")
                .append(block.setup()).append('\n');
        if (!block.declares()) {
            src.append(body);
        }
        return src.append("    }\n}\n").toString();
    }

    /** Compiles the block; throws {@link AssertionError} with javac's messages (lines of the README) if it does not. */
    Class<?> compile(ReadmeBlock block) {
        String className = "ReadmeExample";
        String src = source(block, className);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> classes = new HashMap<>();
        StandardJavaFileManager std = javac.getStandardFileManager(diagnostics, null, null);
        JavaFileManager files = new ForwardingJavaFileManager<>(std) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String name, JavaFileObject.Kind kind,
                    FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + name.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return classes.computeIfAbsent(name, k -> new ByteArrayOutputStream());
                    }
                };
            }
        };
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return src;
            }
        };
        boolean ok = javac.getTask(null, files, diagnostics,
                List.of("-classpath", classPath, "-proc:none", "--release", "17"), null, List.of(unit)).call();
        if (!ok) {
            StringBuilder sb = new StringBuilder(block.where() + ": the block does not compile:\n");
            diagnostics.getDiagnostics().forEach(d -> sb.append("  line ").append(d.getLineNumber()).append(" of the"
                    + " generated source: ").append(d.getMessage(null)).append('\n'));
            sb.append("generated source:\n").append(numbered(src));
            throw new AssertionError(sb.toString());
        }
        ClassLoader loader = new ClassLoader(Thread.currentThread().getContextClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                ByteArrayOutputStream bytes = classes.get(name);
                if (bytes == null) {
                    throw new ClassNotFoundException(name);
                }
                byte[] b = bytes.toByteArray();
                return defineClass(name, b, 0, b.length);
            }
        };
        try {
            return loader.loadClass(className);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(block.where() + ": compiled, but " + className + " is missing", e);
        }
    }

    /** Compiles and runs the block; its own exceptions propagate unchanged. */
    void run(ReadmeBlock block) throws Throwable {
        Class<?> c = compile(block);
        try {
            c.getMethod("run").invoke(null);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Set<String> importsFor(String code) {
        Set<String> out = new TreeSet<>();
        Matcher m = TYPE_NAME.matcher(code);
        while (m.find()) {
            Set<String> fqns = descentTypes.get(m.group());
            if (fqns == null) {
                continue;
            }
            List<String> visible = new ArrayList<>();
            for (String fqn : fqns) {
                if (isPublic(fqn)) {
                    visible.add(fqn);
                }
            }
            if (visible.size() == 1) {
                out.add(visible.get(0));
            }
        }
        return out;
    }

    private static boolean isPublic(String fqn) {
        try {
            return Modifier.isPublic(Class.forName(fqn, false, BlockCompiler.class.getClassLoader()).getModifiers());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Simple name to fully qualified names of every top-level class under {@code dev/descent/}. */
    private static Map<String, Set<String>> scan(String classPath) {
        Map<String, Set<String>> types = new TreeMap<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            List<String> names = new ArrayList<>();
            try {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> walk = Files.walk(p)) {
                        walk.map(f -> p.relativize(f).toString().replace(File.separatorChar, '/')).forEach(names::add);
                    }
                } else if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                    try (JarFile jar = new JarFile(p.toFile())) {
                        jar.stream().forEach(e -> names.add(e.getName()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String n : names) {
                if (n.startsWith("dev/descent/") && n.endsWith(".class") && !n.contains("$")
                        && !n.endsWith("package-info.class") && !n.startsWith("dev/descent/examples/")) {
                    String fqn = n.substring(0, n.length() - ".class".length()).replace('/', '.');
                    types.computeIfAbsent(fqn.substring(fqn.lastIndexOf('.') + 1), k -> new TreeSet<>()).add(fqn);
                }
            }
        }
        return types;
    }

    private static String numbered(String src) {
        StringBuilder sb = new StringBuilder();
        String[] lines = src.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            sb.append(String.format("%4d  %s%n", i + 1, lines[i]));
        }
        return sb.toString();
    }
}
