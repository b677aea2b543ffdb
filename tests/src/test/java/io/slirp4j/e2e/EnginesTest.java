package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: Debian's podman, rootlesskit and buildah run containers on slirp4j, unchanged, with their default
 * options (podman and rootlesskit pass {@code --enable-sandbox --enable-seccomp}), rootless, in private namespaces.
 * The checks live in {@code tests/engines/check.sh} (runnable alone, as root); this runs it and fails with its
 * output. The helper is {@code SLIRP4J_BIN} if set (e.g. {@code /usr/bin/slirp4j}), else the built distribution.
 */
class EnginesTest {
    private static final List<String> TOOLS =
        List.of("podman", "buildah", "rootlesskit", "newuidmap", "newgidmap", "runc", "socat", "setpriv", "busybox");

    @Test
    void podmanRootlesskitAndBuildahRunContainersOnSlirp4j() {
        Requirements.namespaces();
        for (String tool : TOOLS) {
            Requirements.require(Requirements.which(tool) != null, "tool missing: " + tool
                + " (apt-get install podman buildah rootlesskit uidmap runc busybox-static socat)");
        }
        Requirements.require(Files.isRegularFile(Path.of("/bin/busybox")), "/bin/busybox missing (busybox-static)");
        String fromEnv = System.getenv("SLIRP4J_BIN");
        String helper = fromEnv != null && !fromEnv.isEmpty() ? fromEnv
            : usableByOthers(Dist.launcher()) ? Dist.launcher() : Dist.publicLauncher();
        Path script = Path.of("engines", "check.sh").toAbsolutePath();
        // check.sh bounds itself (CHECK_TIMEOUT 360 s + one engine command's 90 s) and cleans up; this is the backstop
        Cmd.Result r = Cmd.run(Duration.ofMinutes(12), "env", "SLIRP4J_BIN=" + helper, "bash", script.toString());
        assertEquals(0, r.exit(), () -> script + " failed (SLIRP4J_BIN=" + helper + "):\n" + r.out() + "\n" + r.err());
    }

    /**
     * Whether a user other than root can run the launcher where the build left it (check.sh's test user must):
     * there it keeps its class-data archive, which a copy elsewhere loses (it records the jars' paths), so a
     * copy is only the fall-back for a build tree under a private directory.
     */
    private static boolean usableByOthers(String launcher) {
        Path lib = Path.of(launcher).getParent().resolveSibling("lib");
        return Cmd.run(Duration.ofSeconds(20), "setpriv", "--reuid=" + Requirements.NOBODY,
            "--regid=" + Requirements.NOBODY, "--clear-groups", "sh", "-c",
            "test -x \"$1\" && test -r \"$1\" && test -r \"$2/slirp4j.jar\"", "sh", launcher, lib.toString()).ok();
    }
}
