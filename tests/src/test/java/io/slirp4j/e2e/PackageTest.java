package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The Debian packages the build makes (src/target/slirp4j_VERSION_ARCH.deb and slirp4j-slirp4netns_VERSION_all.deb),
 * installed for real with apt-get, used, and purged: {@code tests/package/check.sh} says what it checks. It leaves
 * the machine as it found it, and so will not run where slirp4j is installed already (exit 77, a skip here and a
 * failure under CI=true, like a missing tool).
 */
class PackageTest {
    /** check.sh's exit status for "this machine cannot run the check". */
    static final int CANNOT_RUN = 77;

    @Test
    void installedPackagesWorkAndLeaveNothingBehind() {
        Requirements.namespaces("socat", "ping", "ss", "setpriv", "dpkg", "dpkg-deb", "dpkg-trigger", "apt-get",
            "apt-mark", "sha256sum", "java", "podman", "buildah", "rootlesskit");
        Path debs = Dist.home().getParent();
        Path check = Path.of("package", "check.sh").toAbsolutePath();
        // ENGINES=1: the real engines run against the installed copy too (EnginesTest runs them against the build's)
        Cmd.Result r = Cmd.run(Duration.ofMinutes(15), "env", "SLIRP4J_DEB_DIR=" + debs, "ENGINES=1", "bash",
            check.toString());
        Requirements.require(r.exit() != CANNOT_RUN, "tests/package/check.sh cannot run here: " + r.err().strip());
        assertEquals(0, r.exit(), r::describe);
        assertTrue(r.out().strip().endsWith("== package check OK"), r::describe);
    }
}
