package io.slirp4j.tap;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;

/**
 * Internal to tap-bridge (public only because jnr-ffi generates its implementation in another class loader).
 * The few libc calls the JDK and Netty do not offer: setns, ioctl on tun and interface sockets, poll on an
 * inherited fd, execve. jnr-ffi rather than jnr-posix because jnr-posix's POSIX facade costs ~1 s at start-up
 * (DESIGN.md) and has neither setns nor a usable ioctl.
 */
public interface LibC {
    int O_RDONLY = 0;
    int O_RDWR = 2;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;
    int O_DIRECTORY = 0x10000;
    int O_PATH = 0x200000;
    int F_GETFD = 1;
    int F_SETFD = 2;
    int F_GETFL = 3;
    int F_SETFL = 4;
    int CLONE_NEWNET = 0x40000000;
    int CLONE_NEWUSER = 0x10000000;
    int AF_INET = 2;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 0x80000;
    int CLOSE_RANGE_CLOEXEC = 4;
    int EINTR = 4;
    int EAGAIN = 11;
    int EINVAL = 22;

    @SaveError
    int open(@In String path, int flags);

    @SaveError
    int close(int fd);

    @SaveError
    int ioctl(int fd, @u_int64_t long request, Pointer arg);

    @SaveError
    int setns(int fd, int nstype);

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int fcntl(int fd, int cmd, int arg);

    @SaveError
    int poll(@In @Out byte[] fds, @u_int64_t long nfds, int timeoutMillis);

    @SaveError
    @ssize_t
    long read(int fd, @Out byte[] buf, @size_t long count);

    @SaveError
    @ssize_t
    long write(int fd, @In byte[] buf, @size_t long count);

    @SaveError
    int execve(@In String path, @In String[] argv, @In String[] envp);

    @SaveError
    int close_range(int first, int last, int flags);

    String strerror(int errnum);

    /** Loaded on first use; loading costs a few hundred ms, so the program may warm it on a side thread. */
    final class Holder {
        static final LibC INSTANCE = LibraryLoader.create(LibC.class)
            .option(LibraryOption.LoadNow, Boolean.TRUE)
            .load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(INSTANCE);

        private Holder() {}
    }
}
