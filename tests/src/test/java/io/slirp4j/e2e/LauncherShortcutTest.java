package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher answers {@code --help} and {@code --version} (alone on the command line, in the spellings the CLI
 * reads as those) from texts the build recorded, without a JVM: its stdout bytes, stderr and exit status must be
 * those of {@code java -jar lib/slirp4j.jar ARG} run directly with the same java. To show that no JVM starts, the
 * launcher also runs with {@code SLIRP4J_JAVA} pointing to a script that fails loudly; every other command line
 * must still reach that java. Needs neither root nor namespaces: nothing here gets as far as a network.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LauncherShortcutTest {
    /** The spellings the launcher answers itself (src's HelpAndVersionTest holds its list to the CLI's parser). */
    static final List<String> HELP = List.of("-h", "--h", "--he", "--hel", "--help");
    static final List<String> VERSION = List.of("-v", "--v", "--ve", "--ver", "--vers", "--versi", "--versio",
        "--version");
    /** Exit status and stderr mark of the java that must not run. */
    static final int FAKE_JAVA_EXIT = 97;
    static final String FAKE_JAVA_SAYS = "fake java started with:";
    static final long TIMEOUT_SECONDS = 60;

    /** The test's own java: the launcher gets it as SLIRP4J_JAVA, and the reference runs use it directly. */
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    @TempDir
    Path tmp;
    private String fakeJava;

    /** A process's outcome, stdout as bytes. */
    record Run(List<String> argv, int exit, byte[] out, String err) {
        String describe() {
            return String.join(" ", argv) + "\n  exit " + exit + "\n  stdout: "
                + new String(out, StandardCharsets.UTF_8).strip() + "\n  stderr: " + err.strip();
        }
    }

    @BeforeAll
    void writeFakeJava(@TempDir Path dir) throws IOException {
        Path script = dir.resolve("java");
        Files.writeString(script, "#!/bin/sh\necho \"" + FAKE_JAVA_SAYS + " $*\" >&2\nexit " + FAKE_JAVA_EXIT + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        fakeJava = script.toString();
    }

    static Stream<String> shortcuts() {
        return Stream.concat(HELP.stream(), VERSION.stream());
    }

    @ParameterizedTest
    @MethodSource("shortcuts")
    void printsWhatTheProgramPrints(String arg) {
        assertOutcome(recorded(arg), run(java, List.of(Dist.launcher(), arg)));
    }

    @ParameterizedTest
    @MethodSource("shortcuts")
    void startsNoJvm(String arg) throws IOException {
        Run launcher = run(fakeJava, List.of(Dist.launcher(), arg));
        assertOutcome(recorded(arg), launcher);
        // as engines often find it: a symbolic link named slirp4netns (the launcher resolves it with readlink)
        Path link = Files.createTempDirectory(tmp, "bin").resolve("slirp4netns");
        Files.createSymbolicLink(link, Path.of(Dist.launcher()));
        assertOutcome(recorded(arg), run(fakeJava, List.of(link.toString(), arg)));
    }

    /** Everything else is the JVM's: more arguments, clusters, values, the api subcommand, tracing. */
    @ParameterizedTest
    @ValueSource(strings = {"--help -c", "-c --help", "-h -h", "-hc", "-ch", "-vh", "--help=x", "--version=1",
        "--hex", "--", "-", "-H", "-V", "api", "api --help", "api --version"})
    void anyOtherCommandLineReachesJava(String args) {
        List<String> argv = new ArrayList<>(List.of(Dist.launcher()));
        argv.addAll(Arrays.asList(args.split(" ")));
        assertReachedFakeJava(run(fakeJava, argv), args);
    }

    @Test
    void anEmptyArgumentReachesJava() {
        assertReachedFakeJava(run(fakeJava, List.of(Dist.launcher(), "")), "");
    }

    @Test
    void startupTracingReachesJava() {
        Run r = run(fakeJava, List.of(Dist.launcher(), "--help"), Map.of("SLIRP4J_TRACE_STARTUP", "1"));
        assertReachedFakeJava(r, "--help");
    }

    /** Someone copied the jars but not the recorded texts: the JVM answers, as before. */
    @ParameterizedTest
    @ValueSource(strings = {"--help", "--version"})
    void aDistributionWithoutTheTextsAsksJava(String arg) throws IOException {
        Path copy = Files.createTempDirectory(tmp, "dist");
        Files.createDirectories(copy.resolve("bin"));
        Files.createDirectories(copy.resolve("lib"));
        Files.copy(Path.of(Dist.launcher()), copy.resolve("bin/slirp4j"));
        try (Stream<Path> lib = Files.list(Dist.home().resolve("lib"))) {
            for (Path p : (Iterable<Path>) lib::iterator) {
                if (!p.getFileName().toString().endsWith(".txt")) {
                    Files.createSymbolicLink(copy.resolve("lib").resolve(p.getFileName()), p);
                }
            }
        }
        String launcher = copy.resolve("bin/slirp4j").toString();
        assertReachedFakeJava(run(fakeJava, List.of(launcher, arg)), copy.toRealPath(), arg);
        assertOutcome(recorded(arg), run(java, List.of(launcher, arg)));
    }

    private static void assertReachedFakeJava(Run r, String args) {
        assertReachedFakeJava(r, Dist.home(), args);
    }

    /** The launcher ran SLIRP4J_JAVA with {@code -jar DIST/lib/slirp4j.jar} and the arguments unchanged. */
    private static void assertReachedFakeJava(Run r, Path dist, String args) {
        assertEquals(FAKE_JAVA_EXIT, r.exit(), () -> "'" + args + "' did not reach SLIRP4J_JAVA:\n" + r.describe());
        assertTrue(r.err().startsWith(FAKE_JAVA_SAYS) && r.err().strip().endsWith(" -jar "
            + dist.resolve("lib/slirp4j.jar") + (args.isEmpty() ? "" : " " + args)), r::describe);
    }

    private static void assertOutcome(Run expected, Run actual) {
        assertEquals(expected.exit(), actual.exit(), actual::describe);
        assertEquals(expected.err(), actual.err(), actual::describe);
        assertArrayEquals(expected.out(), actual.out(), () -> "stdout differs from " + expected.argv() + ":\n"
            + actual.describe());
    }

    /**
     * What {@code java -jar lib/slirp4j.jar ARG} prints, run directly: the outcome the launcher must reproduce
     * (exit 0, text on stdout, nothing on stderr).
     */
    private Run recorded(String arg) {
        Run reference = run(java, List.of(java, "-jar", Dist.home().resolve("lib/slirp4j.jar").toString(), arg));
        assertEquals(0, reference.exit(), reference::describe);
        assertEquals("", reference.err(), reference::describe);
        assertTrue(reference.out().length > 0, reference::describe);
        return reference;
    }

    private Run run(String slirp4jJava, List<String> argv) {
        return run(slirp4jJava, argv, Map.of());
    }

    /**
     * Runs {@code argv} with SLIRP4J_JAVA set, without the variables that would make any java or the launcher
     * print more (JAVA_TOOL_OPTIONS, startup tracing ...), plus {@code extraEnv}; stdout and stderr go to files.
     */
    private Run run(String slirp4jJava, List<String> argv, Map<String, String> extraEnv) {
        try {
            Path out = Files.createTempFile(tmp, "out", "");
            Path err = Files.createTempFile(tmp, "err", "");
            ProcessBuilder pb = new ProcessBuilder(argv).directory(new File("/"))
                .redirectInput(Cmd.DEV_NULL).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("SLIRP4J_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS"));
            env.put("PATH", Cmd.PATH);
            env.put("SLIRP4J_JAVA", slirp4jJava);
            env.putAll(extraEnv);
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                Cmd.killTree(p.toHandle());
                fail("timed out after " + TIMEOUT_SECONDS + " s: " + argv);
            }
            return new Run(List.copyOf(argv), p.exitValue(), Files.readAllBytes(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + argv, e);
        }
    }
}
