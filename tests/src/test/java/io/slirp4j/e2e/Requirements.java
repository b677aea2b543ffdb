package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Assumptions;

/**
 * What an end-to-end test needs from the machine. Locally a missing requirement SKIPS the test (JUnit
 * assumption); with the environment variable {@code CI=true} it FAILS it, so that a green CI run always means
 * the namespace tests really ran.
 */
public final class Requirements {
    static final int NOBODY = 65534;
    private static final ConcurrentMap<String, String> PROBLEMS = new ConcurrentHashMap<>();

    private Requirements() {}

    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (locally) or fails (CI=true) unless {@code ok}. */
    public static void require(boolean ok, String why) {
        if (ok) {
            return;
        }
        if (ci()) {
            fail("CI=true, so this end-to-end test must run, but: " + why);
        }
        Assumptions.assumeTrue(false, why);
    }

    /** Root, the namespace tools, /dev/net/tun, and the tools named. */
    public static void namespaces(String... moreTools) {
        require(isRoot(), "end-to-end tests need root (uid 0) to create network namespaces");
        List<String> tools = new ArrayList<>(List.of("unshare", "nsenter", "ip", "bash", "mount", "kill"));
        tools.addAll(List.of(moreTools));
        for (String tool : tools) {
            require(which(tool) != null, "tool missing: " + tool + " (apt-get install iproute2 util-linux "
                + "iputils-ping dnsutils)");
        }
        require(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing");
    }

    /** What {@link #namespaces} needs, plus an unprivileged user that can create user namespaces. */
    public static void rootless(String... moreTools) {
        namespaces(moreTools);
        require(which("setpriv") != null, "tool missing: setpriv (util-linux)");
        String problem = PROBLEMS.computeIfAbsent("rootless", k -> probeRootless());
        require(problem.isEmpty(), problem);
    }

    public static void forMode(Mode mode, String... moreTools) {
        if (mode == Mode.ROOT) {
            namespaces(moreTools);
        } else {
            rootless(moreTools);
        }
    }

    static boolean isRoot() {
        try {
            return "0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Makes /dev/net/tun usable by the unprivileged user (DESIGN.md: 0600 on these machines, 0666 on Debian). */
    private static String probeRootless() {
        try {
            Path tun = Path.of("/dev/net/tun");
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(tun);
            if (!perms.contains(PosixFilePermission.OTHERS_READ) || !perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                Files.setPosixFilePermissions(tun, PosixFilePermissions.fromString("rw-rw-rw-"));
            }
        } catch (IOException e) {
            return "cannot make /dev/net/tun mode 0666: " + e;
        }
        Cmd.Result r = Cmd.run(Duration.ofSeconds(20), "setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
            "--clear-groups", "unshare", "--user", "--map-root-user", "--net", "true");
        if (!r.ok()) {
            return "uid " + NOBODY + " cannot create user namespaces: " + r.describe();
        }
        return "";
    }

    /** The absolute path of an executable found on the harness's PATH, or null. */
    public static String which(String name) {
        for (String dir : Cmd.PATH.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
