package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code ```java} block of every README of the repository (the root's and each
 * module's) compiles and runs, with the setup its {@code <!-- example -->} comment gives
 * ({@link ReadmeBlock}). A block that stops compiling or throws fails its own test, named by
 * file and line.
 */
class ReadmeBlocksTest {
    private static final Path ROOT = Path.of(System.getProperty("descent.readmeRoot", "..")).toAbsolutePath()
            .normalize();
    private static final BlockCompiler COMPILER = new BlockCompiler();

    static List<ReadmeBlock> allBlocks() throws IOException {
        List<ReadmeBlock> blocks = new ArrayList<>();
        for (Path readme : readmes()) {
            blocks.addAll(ReadmeBlock.read(ROOT, readme));
        }
        return blocks;
    }

    /** The root README and every module's (a folder with a pom.xml and a README.md). */
    static List<Path> readmes() throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(ROOT.resolve("README.md"));
        try (Stream<Path> dirs = Files.list(ROOT)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("README.md")) && Files.isRegularFile(d.resolve("pom.xml")))
                    .sorted().forEach(d -> out.add(d.resolve("README.md")));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockOfEveryReadmeCompilesAndRuns() throws IOException {
        return allBlocks().stream().map(b -> DynamicTest.dynamicTest(b.where(),
                () -> {
                    if (b.ranSource().isEmpty()) {
                        COMPILER.run(b);
                    } else {
                        assertRunAsRanks(b);
                    }
                }));
    }

    /** A block run as ranks elsewhere is that test source's code, every line of it in order. */
    private static void assertRunAsRanks(ReadmeBlock b) throws IOException {
        Path source = ROOT.resolve(b.ranSource());
        assertTrue(Files.isRegularFile(source), b.where() + ": the source that runs it as ranks, " + source
                + ", does not exist");
        List<String> code = Files.readAllLines(source).stream().map(String::strip).toList();
        int at = 0;
        for (String line : b.code().split("\n")) {
            String want = line.strip();
            if (want.isEmpty()) {
                continue;
            }
            while (at < code.size() && !code.get(at).equals(want)) {
                at++;
            }
            assertTrue(at < code.size(), b.where() + ": line '" + want + "' is not, in this order, in " + b.ranSource());
            at++;
        }
    }

    @Test
    void theReadmesAndTheirBlocksAreFound() throws IOException {
        List<Path> readmes = readmes();
        assertTrue(readmes.size() >= 10, "READMEs found under " + ROOT + ": " + readmes);
        assertTrue(allBlocks().size() >= 10, "Java blocks found: " + allBlocks().size());
        assertTrue(COMPILER.typesFound() > 100, "Descent types on the class path: " + COMPILER.typesFound());
    }

    @Test
    void aBlockThatDoesNotCompileFailsWithItsPlace() {
        ReadmeBlock broken = new ReadmeBlock("X/README.md", 12, "Tensor t = Tensor.zeros(DType.FLOAT32, 2);\n"
                + "t.noSuchMethod();\n", "");
        AssertionError e = assertThrows(AssertionError.class, () -> COMPILER.run(broken));
        assertTrue(e.getMessage().startsWith("X/README.md:12: the block does not compile"), e.getMessage());
        assertTrue(e.getMessage().contains("noSuchMethod"), e.getMessage());
    }

    @Test
    void aBlockRunAsRanksMustBeItsSourcesCode() throws IOException {
        String source = "examples/src/test/java/dev/descent/examples/ReadmeBlock.java";
        assertRunAsRanks(new ReadmeBlock("X/README.md", 5, "int k = fence - 1;\nwhile (k >= 0 && lines.get(k).isBlank()) {\n",
                "", source));
        AssertionError e = assertThrows(AssertionError.class, () -> assertRunAsRanks(new ReadmeBlock("X/README.md", 5,
                "while (k >= 0 && lines.get(k).isBlank()) {\nint notThere = 1;\n", "", source)));
        assertTrue(e.getMessage().contains("'int notThere = 1;' is not, in this order"), e.getMessage());
    }

    @Test
    void aBlockThatThrowsFailsWithItsOwnException() {
        ReadmeBlock throwing = new ReadmeBlock("X/README.md", 3,
                "Tensor a = Tensor.zeros(DType.FLOAT32, 2, 3);\nTensor b = Tensor.zeros(DType.FLOAT32, 4, 5);\n"
                        + "a.matmul(b);\n", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> COMPILER.run(throwing));
        assertTrue(e.getMessage().startsWith("matmul"), e.getMessage());
    }

    @Test
    void aBlockOfDeclarationsCompilesAndItsSetupUsesThem() throws Throwable {
        ReadmeBlock decl = new ReadmeBlock("X/README.md", 1,
                "record Pair(int a, int b) {\n    int sum() { return a + b; }\n}\n",
                "if (new Pair(2, 3).sum() != 5) throw new AssertionError(\"sum\");\n");
        assertTrue(decl.declares());
        COMPILER.run(decl);
    }
}
