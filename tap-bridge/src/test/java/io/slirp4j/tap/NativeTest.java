package io.slirp4j.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each JNI binding is reachable and passes results and errnos through unchanged. */
class NativeTest {
    static final int EBADF = 9;
    static final int ENOENT = 2;
    static final long SIOCGIFFLAGS = 0x8913;

    @Test
    void openReadWriteAndCloseAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("f");
        Files.writeString(file, "hello");
        int fd = Posix.check(Native.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC), "open");
        try {
            byte[] buf = new byte[16];
            assertEquals(5, Native.read(fd, buf, 3, 10));
            assertEquals("hello", new String(buf, 3, 5, StandardCharsets.US_ASCII));
            byte[] more = " world!".getBytes(StandardCharsets.US_ASCII);
            assertEquals(6, Native.write(fd, more, 0, 6));
            assertEquals(1, Native.fcntl(fd, LibC.F_GETFD, 0), "FD_CLOEXEC");
        } finally {
            assertEquals(0, Native.close(fd));
        }
        assertEquals("hello world", Files.readString(file));
        assertEquals(-EBADF, Native.close(fd));
    }

    @Test
    void failuresReturnTheNegatedErrnoAndReadLikePerror() {
        int r = Native.open("/nonexistent/slirp4j", LibC.O_RDONLY);
        assertEquals(-ENOENT, r);
        assertEquals("open: No such file or directory", Posix.failure("open", r).getMessage());
        assertEquals(-EBADF, Native.fcntl(-1, LibC.F_GETFD, 0));
        assertEquals(-EBADF, Native.setns(-1, LibC.CLONE_NEWNET));
        assertEquals(-EBADF, Native.ioctl(-1, SIOCGIFFLAGS, new byte[40]));
        assertEquals(-EBADF, Native.addDefaultRoute(-1, "tap0", 0x0a000202));
    }

    @Test
    void anIoctlCopiesItsStructInAndBackOut() throws IOException {
        int sock = Posix.check(Native.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0), "socket");
        try {
            byte[] ifr = TunDevice.ifreq("lo");
            byte[] before = ifr.clone();
            assertEquals(0, Native.ioctl(sock, SIOCGIFFLAGS, ifr));
            assertArrayEquals(java.util.Arrays.copyOf(before, 16), java.util.Arrays.copyOf(ifr, 16));
            int loopbackFlag = 0x8;
            assertTrue((TunDevice.ifreqData(ifr).getShort() & loopbackFlag) != 0, "lo has IFF_LOOPBACK");
        } finally {
            Native.close(sock);
        }
    }

    @Test
    void pollReportsReadinessAndTimeOut() throws IOException {
        int fd = Posix.check(Native.open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC), "open");
        try {
            assertEquals(ExitFdWatcher.POLLIN, Native.poll(fd, ExitFdWatcher.POLLIN, 0) & ExitFdWatcher.POLLIN);
        } finally {
            Native.close(fd);
        }
        int neverAllocated = 999_999;
        assertEquals(ExitFdWatcher.POLLNVAL, Native.poll(neverAllocated, ExitFdWatcher.POLLIN, 0));
    }
}
