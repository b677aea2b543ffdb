package io.slirp4j.tap;

/**
 * {@code -e FD}: waits on a daemon thread until the fd reports hang-up or error, or is not an open descriptor
 * (POLLNVAL), then runs the exit action. Data written to the fd is read and ignored, so a writer never blocks.
 */
public final class ExitFdWatcher {
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;

    private ExitFdWatcher() {}

    public static Thread start(int fd, Runnable onExit) {
        Thread t = new Thread(() -> {
            watch(fd);
            onExit.run();
        }, "slirp4j-exit-fd");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Returns when the fd hangs up, fails, reaches end of file, or is invalid. */
    static void watch(int fd) {
        LibC libc = Posix.libc();
        byte[] pollfd = new byte[8];
        byte[] sink = new byte[4096];
        while (true) {
            putInt(pollfd, 0, fd);
            pollfd[4] = (byte) POLLIN;
            pollfd[5] = 0;
            pollfd[6] = 0;
            pollfd[7] = 0;
            int n = libc.poll(pollfd, 1, -1);
            if (n < 0) {
                if (Posix.errno() == LibC.EINTR) {
                    continue;
                }
                return;
            }
            int revents = (pollfd[6] & 0xff) | (pollfd[7] & 0xff) << 8;
            if ((revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
                return;
            }
            if ((revents & POLLIN) != 0) {
                long r = libc.read(fd, sink, sink.length);
                if (r == 0 || (r < 0 && Posix.errno() != LibC.EINTR && Posix.errno() != LibC.EAGAIN)) {
                    return;
                }
            }
        }
    }

    private static void putInt(byte[] b, int off, int v) {
        // struct pollfd is in host (little-endian on the platforms we support) order
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
