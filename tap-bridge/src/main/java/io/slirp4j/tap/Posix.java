package io.slirp4j.tap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LastError;

/** Thin, checked wrappers over {@link LibC}: every failure becomes an IOException reading like perror(3). */
public final class Posix {
    private Posix() {}

    static LibC libc() {
        return LibC.Holder.INSTANCE;
    }

    /** Loads the native binding now, so that the first real call does not pay for it. */
    public static void warmUp() {
        libc();
    }

    static int errno() {
        return LastError.getLastError(LibC.Holder.RUNTIME);
    }

    static ErrnoException failure(String what) {
        int errno = errno();
        return new ErrnoException(what, errno, libc().strerror(errno));
    }

    static int check(int result, String what) throws IOException {
        if (result < 0) {
            throw failure(what);
        }
        return result;
    }

    public static void close(int fd) {
        libc().close(fd);
    }

    /**
     * An O_PATH descriptor of the directory {@code dir}: {@code /proc/self/fd/N/name} then names a file in it with
     * a short path, whatever the length of {@code dir}'s.
     */
    public static int openDirectoryPath(String dir) throws IOException {
        return check(libc().open(dir, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC), "open(" + dir + ")");
    }

    /** True when {@code fd} is an open descriptor of this process. */
    public static boolean isOpen(int fd) {
        return libc().fcntl(fd, LibC.F_GETFD, 0) >= 0;
    }

    public static void setNonBlocking(int fd) throws IOException {
        int flags = check(libc().fcntl(fd, LibC.F_GETFL, 0), "fcntl(F_GETFL)");
        check(libc().fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK), "fcntl(F_SETFL)");
    }

    /** Writes all of {@code text} to {@code fd}, retrying on EINTR. */
    public static void writeFully(int fd, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int done = 0;
        while (done < bytes.length) {
            byte[] rest = done == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, done, bytes.length);
            long n = libc().write(fd, rest, rest.length);
            if (n < 0) {
                if (errno() == LibC.EINTR) {
                    continue;
                }
                throw failure("write(" + fd + ")");
            }
            done += (int) n;
        }
    }

    /** Marks every descriptor from {@code first} up close-on-exec, then clears the flag on {@code keep}. */
    static void closeOnExecExcept(int first, int... keep) throws IOException {
        check(libc().close_range(first, Integer.MAX_VALUE, LibC.CLOSE_RANGE_CLOEXEC), "close_range");
        for (int fd : keep) {
            if (fd >= first) {
                check(libc().fcntl(fd, LibC.F_SETFD, 0), "fcntl(F_SETFD)");
            }
        }
    }
}
