package io.slirp4j.e2e;

import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * What a guest program sees on a connected UDP socket with {@code IP_RECVERR} (as DNS resolvers and many clients
 * set it): Linux reports ICMP network/host unreachable on UDP sockets only with that option, since those are
 * "soft" errors. The JDK cannot set it, so this is a few libc calls. Root only (it enters the guest namespace).
 */
public final class RecvErr {
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int IPPROTO_IP = 0;
    static final int IP_RECVERR = 11;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    public static final int ENETUNREACH = 101;
    public static final int EHOSTUNREACH = 113;
    public static final int ECONNREFUSED = 111;
    public static final int EAGAIN = 11;

    /** The libc calls used here. Public for jnr-ffi's generated class. */
    public interface LibC {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int setsockopt(int fd, int level, int name, @In byte[] value, int len);

        @SaveError
        int connect(int fd, @In byte[] addr, int len);

        @SaveError
        @ssize_t
        long send(int fd, @In byte[] buf, @size_t long len, int flags);

        @SaveError
        @ssize_t
        long recv(int fd, @Out byte[] buf, @size_t long len, int flags);

        @SaveError
        int close(int fd);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    private RecvErr() {}

    /**
     * In {@code netns}: a UDP socket with IP_RECVERR connected to {@code ip:port} sends one datagram and
     * receives. Returns the errno of the first failing send/recv (e.g. ENETUNREACH), EAGAIN if nothing came
     * within 2 s, or 0 if a reply arrived.
     */
    public static int errnoAfterSend(Path netns, String ip, int port) {
        return TestNetwork.in(netns, () -> {
            LibC c = Holder.LIBC;
            int fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new java.io.IOException("socket: errno " + errno());
            }
            try {
                byte[] one = {1, 0, 0, 0};
                byte[] timeout = new byte[16];
                timeout[0] = 2;
                if (c.setsockopt(fd, IPPROTO_IP, IP_RECVERR, one, 4) < 0
                    || c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16) < 0) {
                    throw new java.io.IOException("setsockopt: errno " + errno());
                }
                byte[] sin = new byte[16];
                sin[0] = AF_INET;
                sin[2] = (byte) (port >>> 8);
                sin[3] = (byte) port;
                System.arraycopy(Frames.ip(ip), 0, sin, 4, 4);
                if (c.connect(fd, sin, 16) < 0) {
                    return errno();
                }
                byte[] data = "anyone?".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                if (c.send(fd, data, data.length, 0) < 0) {
                    return errno();
                }
                byte[] buf = new byte[2048];
                return c.recv(fd, buf, buf.length, 0) < 0 ? errno() : 0;
            } finally {
                c.close(fd);
            }
        });
    }

    private static int errno() {
        return LastError.getLastError(Holder.RUNTIME);
    }
}
