package io.slirp4j.tap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Checked wrappers over {@link Native}: every failure becomes an IOException reading like perror(3). */
public final class Posix {
    private Posix() {}

    /** Loads the native library now, so that the first real call does not pay for it. */
    public static void warmUp() {
        Native.ensureLoaded();
    }

    /** The exception for a call that returned {@code -errno}. */
    static ErrnoException failure(String what, int negativeErrno) {
        return new ErrnoException(what, -negativeErrno, Native.strerror(-negativeErrno));
    }

    /** Returns {@code result}, or throws if it is a negative errno. */
    static int check(int result, String what) throws ErrnoException {
        if (result < 0) {
            throw failure(what, result);
        }
        return result;
    }

    public static void close(int fd) {
        Native.close(fd);
    }

    /** dup2(2). */
    public static void dup2(int from, int to) throws IOException {
        check(Native.dup2(from, to), "dup2(" + from + ", " + to + ")");
    }

    /** open(2) for reading and writing, close-on-exec. */
    public static int openReadWrite(String path) throws IOException {
        return check(Native.open(path, LibC.O_RDWR | LibC.O_CLOEXEC), path);
    }

    /** A pidfd of {@code pid} (see {@link ExitFdWatcher}: it polls readable, then fails to read, once pid exits). */
    public static int pidfdOpen(long pid) throws IOException {
        return check(Native.pidfdOpen((int) pid), "pidfd_open(" + pid + ")");
    }

    /**
     * An O_PATH descriptor of the directory {@code dir}: {@code /proc/self/fd/N/name} then names a file in it with
     * a short path, whatever the length of {@code dir}'s.
     */
    public static int openDirectoryPath(String dir) throws IOException {
        return check(Native.open(dir, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC), "open(" + dir + ")");
    }

    /**
     * A unix stream socket bound at {@code path} and listening, non-blocking and close-on-exec, made without an
     * event loop: connections wait in its backlog until one serves it.
     */
    public static int listenUnix(String path, int backlog) throws IOException {
        return check(Native.listenUnix(path, backlog), "cannot listen on " + path);
    }

    /**
     * A unix SOCK_SEQPACKET socket bound at {@code path} and listening for one peer, non-blocking and close-on-exec
     * ({@code --target-type=bess}).
     */
    public static int listenSeqpacket(String path) throws IOException {
        return check(Native.listenSeqpacket(path), "cannot listen on BESS socket " + path);
    }

    /**
     * Waits up to {@code timeoutMillis} for a connection on the listening socket {@code fd} and accepts it:
     * its fd (non-blocking, close-on-exec), or -1 if none came in time.
     */
    public static int accept(int fd, int timeoutMillis) throws IOException {
        int revents = Native.poll(fd, POLLIN, timeoutMillis);
        if (revents == -LibC.EINTR || revents == 0) {
            return -1;
        }
        check(revents, "poll");
        int conn = Native.accept(fd);
        if (conn == -LibC.EAGAIN || conn == -LibC.EINTR) {
            return -1;
        }
        return check(conn, "accept");
    }

    private static final int POLLIN = 1;

    /**
     * The soft limit on open files (HotSpot raises it to the hard limit at start; {@code Long.MAX_VALUE}:
     * unlimited). From getrlimit(2), not /proc, which a sandboxed helper no longer sees.
     */
    public static long openFilesLimit() throws IOException {
        long r = Native.openFilesLimit();
        if (r < 0) {
            throw failure("getrlimit(RLIMIT_NOFILE)", (int) r);
        }
        return r;
    }

    /** True when {@code fd} is an open descriptor of this process. */
    public static boolean isOpen(int fd) {
        return Native.fcntl(fd, LibC.F_GETFD, 0) >= 0;
    }

    public static void setNonBlocking(int fd) throws IOException {
        int flags = check(Native.fcntl(fd, LibC.F_GETFL, 0), "fcntl(F_GETFL)");
        check(Native.fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK), "fcntl(F_SETFL)");
    }

    /** Writes all of {@code text} to {@code fd}, retrying on EINTR. */
    public static void writeFully(int fd, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int done = 0;
        while (done < bytes.length) {
            int n = Native.write(fd, bytes, done, bytes.length - done);
            if (n == -LibC.EINTR) {
                continue;
            }
            done += check(n, "write(" + fd + ")");
        }
    }
}
