package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The harness's own promises, checked on a running helper: it runs where the mode says (uid, user namespace),
 * and its network and mount namespaces are the test's private host ones (the hard rule).
 */
class ModesTest {

    static String field(long pid, String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim().split("\\s+")[0];
            }
        }
        throw new AssertionError("no " + name + " in /proc/" + pid + "/status");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void helperRunsWhereTheModeSays(Mode mode) throws IOException {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Helper h = net.startHelper("-c");
            net.assertContained(h);
            String uid = field(h.pid(), "Uid");
            String userns = TestNetwork.nsId(h.pid(), "user");
            String guestUserns = TestNetwork.nsId(net.guestPid(), "user");
            String initUserns = TestNetwork.nsId(ProcessHandle.current().pid(), "user");
            if (mode == Mode.ROOT) {
                assertEquals("0", uid);
                assertEquals(initUserns, userns, "a root helper stays in the test's (root's) user namespace");
            } else {
                assertEquals(Integer.toString(Requirements.NOBODY), uid, "the helper's real uid (host view)");
                // ROOTLESS: only a short-lived child joins the guest's user namespace, the helper stays where it
                // was started (one JVM, as slirp4netns's parent stays), unless in a sandbox (the default), for which
                // the launcher starts it in the guest's (as slirp4netns's parent joins it); PODMAN: started in the
                // guest's
                boolean staysOutside = mode == Mode.ROOTLESS && h.argv().contains("--disable-sandbox");
                assertEquals(staysOutside ? initUserns : guestUserns, userns, "the helper's user namespace");
            }
            // and the guest is the helper's: its tap0 exists only in the guest namespace
            net.guest("ip", "-o", "link", "show", "dev", "tap0").check();
            System.out.printf("[%s] helper pid %d uid %s %s, net %s%n", mode, h.pid(), uid, userns,
                TestNetwork.nsId(h.pid(), "net"));
        }
    }
}
