package io.slirp4j.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NamespacesTest {

    @Test
    void aNamespaceIsTheSameThroughAnyOfItsNames() throws IOException {
        long pid = ProcessHandle.current().pid();
        assertTrue(Namespaces.sameNamespace(Path.of("/proc/self/ns/user"), Path.of("/proc/" + pid + "/ns/user")));
        assertFalse(Namespaces.sameNamespace(Path.of("/proc/self/ns/user"), Path.of("/proc/self/ns/net")));
    }

    @Test
    void noJoinIsNeededForOurOwnUserNamespaceOrNone() throws IOException {
        assertFalse(Namespaces.needsUserNamespaceJoin(null));
        assertFalse(Namespaces.needsUserNamespaceJoin(Path.of("/proc/self/ns/user")));
    }

    @Test
    void onlyAUserNamespaceIsAcceptedAsOne() throws IOException {
        Namespaces.requireUserNamespace(Path.of("/proc/self/ns/user"));
        IOException notUser = assertThrows(IOException.class,
            () -> Namespaces.requireUserNamespace(Path.of("/proc/self/ns/net")));
        assertEquals("/proc/self/ns/net is not a user namespace", notUser.getMessage());
        IOException missing = assertThrows(IOException.class,
            () -> Namespaces.requireUserNamespace(Path.of("/nonexistent")));
        assertEquals("/nonexistent: No such file or directory", missing.getMessage());
    }

    @Test
    void aMissingNetnsFileFailsWithItsName() {
        IOException e = assertThrows(IOException.class,
            () -> Namespaces.inNetworkNamespace(Path.of("/nonexistent/netns"), () -> 1));
        assertEquals("/nonexistent/netns: No such file or directory", e.getMessage());
    }

    @Test
    void theTaskRunsAndItsResultComesBack() throws IOException {
        assertEquals(42, Namespaces.inNetworkNamespace(Path.of("/proc/self/ns/net"), () -> 42));
    }

    @Test
    void theChildHandsBackATunFdAndASocketFromTheTargetNetns() throws IOException {
        Namespaces.TargetDescriptors fds = Namespaces.openInTarget(Path.of("/proc/self/ns/net"), null, true);
        try {
            assertTrue(Posix.isOpen(fds.tun()) && Posix.isOpen(fds.socket()) && Posix.isOpen(fds.netlink()));
            assertEquals(1, Native.fcntl(fds.tun(), LibC.F_GETFD, 0), "close-on-exec");
            assertEquals(1, Native.fcntl(fds.socket(), LibC.F_GETFD, 0), "close-on-exec");
            assertTrue((Native.fcntl(fds.tun(), LibC.F_GETFL, 0) & LibC.O_NONBLOCK) != 0, "non-blocking");
        } finally {
            Posix.close(fds.tun());
            fds.closeSockets();
        }
        Namespaces.TargetDescriptors tunOnly = Namespaces.openInTarget(Path.of("/proc/self/ns/net"), null, false);
        Posix.close(tunOnly.tun());
        assertEquals(-1, tunOnly.socket());
        assertEquals(-1, tunOnly.netlink());
    }

    @Test
    void theChildReportsWhichStepFailed() {
        IOException missing = assertThrows(IOException.class,
            () -> Namespaces.openInTarget(Path.of("/nonexistent/netns"), null, false));
        assertEquals("/nonexistent/netns: No such file or directory", missing.getMessage());
        IOException notNet = assertThrows(IOException.class,
            () -> Namespaces.openInTarget(Path.of("/proc/self/ns/user"), null, false));
        assertEquals("setns(CLONE_NEWNET): Invalid argument (/proc/self/ns/user is not a network namespace)",
            notNet.getMessage());
        IOException noUserns = assertThrows(IOException.class,
            () -> Namespaces.openInTarget(Path.of("/proc/self/ns/net"), Path.of("/nonexistent/user"), false));
        assertEquals("/nonexistent/user: No such file or directory", noUserns.getMessage());
    }
}
