package io.slirp4j.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NetnsSocketFactoryTest {

    @Test
    void socketsOfEachKindComeBackNonBlockingAndCloseOnExec() throws Exception {
        // our own netns: the switch needs CAP_SYS_ADMIN, which the unit tests have (root) where they run
        Path own = Path.of("/proc/self/ns/net");
        if (!Namespaces.hasCapSysAdmin()) {
            assertThrows(IOException.class, () -> NetnsSocketFactory.start(own));
            return;
        }
        NetnsSocketFactory factory = NetnsSocketFactory.start(own);
        try {
            for (int fd : new int[] {factory.streamSocket(true), factory.streamSocket(false),
                factory.datagramSocket(true), factory.datagramSocket(false)}) {
                assertTrue(fd >= 0 && Posix.isOpen(fd));
                assertEquals(1, Native.fcntl(fd, LibC.F_GETFD, 0), "close-on-exec");
                assertTrue((Native.fcntl(fd, LibC.F_GETFL, 0) & LibC.O_NONBLOCK) != 0, "non-blocking");
                Posix.close(fd);
            }
            assertTrue(factory.alive());
        } finally {
            factory.close();
        }
        IOException closed = assertThrows(IOException.class, () -> factory.streamSocket(true));
        assertEquals("the namespace socket factory is closed", closed.getMessage());
    }

    @Test
    void whatIsNoNetnsFailsWithItsName() {
        IOException missing = assertThrows(IOException.class,
            () -> NetnsSocketFactory.start(Path.of("/nonexistent/netns")));
        assertEquals("/nonexistent/netns: No such file or directory", missing.getMessage());
        if (Namespaces.hasCapSysAdmin()) {
            IOException notNet = assertThrows(IOException.class,
                () -> NetnsSocketFactory.start(Path.of("/proc/self/ns/user")));
            assertTrue(notNet.getMessage().contains("not a network namespace"), notNet.getMessage());
        }
    }
}
