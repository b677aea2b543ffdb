package io.slirp4j.tap;

/**
 * {@code -e FD}: waits on a daemon thread until the fd reports hang-up or error, or is not an open descriptor
 * (POLLNVAL), then runs the exit action. Data written to the fd is read and ignored, so a writer never blocks.
 */
public final class ExitFdWatcher {
    static final int POLLIN = 0x1;
    static final int POLLERR = 0x8;
    static final int POLLHUP = 0x10;
    static final int POLLNVAL = 0x20;

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
        byte[] sink = new byte[4096];
        while (true) {
            int revents = Native.poll(fd, POLLIN, -1);
            if (revents < 0) {
                if (revents == -LibC.EINTR) {
                    continue;
                }
                return;
            }
            if ((revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
                return;
            }
            if ((revents & POLLIN) != 0) {
                int r = Native.read(fd, sink, 0, sink.length);
                if (r == 0 || (r < 0 && r != -LibC.EINTR && r != -LibC.EAGAIN)) {
                    return;
                }
            }
        }
    }
}
