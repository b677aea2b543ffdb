package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The built distribution ({@code bin/slirp4j} + {@code lib/}). Root runs use it where the build left it; runs as
 * the unprivileged user use a copy in a fresh world-readable directory, because the build tree may sit under a
 * 0700 directory.
 */
public final class Dist {
    private static Path publicCopy;

    private Dist() {}

    /** The distribution directory: system property {@code slirp4j.dist}, else ../src/target/slirp4j. */
    public static Path home() {
        Path dir = location();
        if (!Files.isExecutable(dir.resolve("bin/slirp4j")) || !Files.isDirectory(dir.resolve("lib"))) {
            fail("the slirp4j distribution is not built at " + dir
                + " (run: mvn -B -DskipTests package, or mvn verify -pl tests -am)");
        }
        return dir;
    }

    /** Where the distribution is expected, built or not (for tests that look for a file that may not exist yet). */
    public static Path location() {
        String prop = System.getProperty("slirp4j.dist");
        Path dir = prop != null ? Path.of(prop) : Path.of("..", "src", "target", "slirp4j");
        return dir.toAbsolutePath().normalize();
    }

    public static String launcher() {
        return home().resolve("bin/slirp4j").toString();
    }

    /** The launcher of a copy readable and executable by everyone, made once per test JVM. */
    public static synchronized String publicLauncher() {
        if (publicCopy == null) {
            Path src = home();
            try {
                Path dir = Files.createTempDirectory("slirp4j-e2e-dist-");
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                try (Stream<Path> files = Files.walk(src)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Path dst = dir.resolve(src.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(dst);
                            Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString("rwxr-xr-x"));
                        } else {
                            Files.copy(p, dst);
                            Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString(
                                Files.isExecutable(p) ? "rwxr-xr-x" : "rw-r--r--"));
                        }
                    }
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                publicCopy = dir;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the distribution for the unprivileged user", e);
            }
        }
        return publicCopy.resolve("bin/slirp4j").toString();
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // already gone
        }
    }
}
