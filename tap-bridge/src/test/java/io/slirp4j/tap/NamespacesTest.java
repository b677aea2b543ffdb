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
    void executablesAreFoundOnThePath() throws IOException {
        assertTrue(Namespaces.findExecutable("sh").endsWith("/sh"));
        assertThrows(IOException.class, () -> Namespaces.findExecutable("no-such-program-slirp4j"));
    }
}
