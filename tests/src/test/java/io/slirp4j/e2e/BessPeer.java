package io.slirp4j.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Predicate;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The other end of {@code --target-type=bess}: a unix SOCK_SEQPACKET client, as User Mode Linux's vector transport
 * {@code bess} is, that sends and receives whole Ethernet frames, one per message. A path socket is no network
 * namespace's: the test connects from its own.
 */
public final class BessPeer implements AutoCloseable {
    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int ECONNREFUSED = 111;

    /** The libc calls used here. Public for jnr-ffi's generated class. */
    public interface LibC {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int connect(int fd, @In byte[] addr, int len);

        @SaveError
        @ssize_t
        long send(int fd, @In byte[] buf, @size_t long len, int flags);

        @SaveError
        @ssize_t
        long recv(int fd, @Out byte[] buf, @size_t long len, int flags);

        @SaveError
        int setsockopt(int fd, int level, int name, @In byte[] value, int len);

        @SaveError
        int close(int fd);

        String strerror(int errnum);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    /** connect(2) refused: the errno. */
    public static final class Refused extends IOException {
        final int errno;

        Refused(String message, int errno) {
            super(message);
            this.errno = errno;
        }
    }

    private final int fd;
    private boolean closed;

    private BessPeer(int fd) {
        this.fd = fd;
    }

    /** Connects to the BESS socket at {@code path}. */
    public static BessPeer connect(Path path) throws IOException {
        LibC c = Holder.LIBC;
        int s = c.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw new IOException("socket(AF_UNIX, SOCK_SEQPACKET): " + err());
        }
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        byte[] addr = new byte[2 + 108]; // struct sockaddr_un
        addr[0] = (byte) AF_UNIX;
        System.arraycopy(name, 0, addr, 2, name.length);
        if (c.connect(s, addr, 2 + name.length + 1) < 0) {
            int e = LastError.getLastError(Holder.RUNTIME);
            c.close(s);
            throw new Refused("connect(" + path + "): " + c.strerror(e), e);
        }
        byte[] shortWait = new byte[16]; // struct timeval: 100 ms, so receive() can look at its deadline
        shortWait[8] = (byte) 0xa0;
        shortWait[9] = (byte) 0x86;
        shortWait[10] = 0x01;
        if (c.setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, shortWait, shortWait.length) < 0) {
            String e = err();
            c.close(s);
            throw new IOException("setsockopt(SO_RCVTIMEO): " + e);
        }
        return new BessPeer(s);
    }

    private static String err() {
        int e = LastError.getLastError(Holder.RUNTIME);
        return Holder.LIBC.strerror(e) + " (errno " + e + ")";
    }

    /** Sends one frame as one message. */
    public void send(byte[] frame) throws IOException {
        long n = Holder.LIBC.send(fd, frame, frame.length, 0);
        if (n != frame.length) {
            throw new IOException("send: " + (n < 0 ? err() : n + " of " + frame.length + " bytes"));
        }
    }

    /** The next frame {@code filter} accepts, or null after {@code timeout}; null at once if the helper closed. */
    public byte[] receive(Duration timeout, Predicate<byte[]> filter) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[70_000];
        while (System.nanoTime() < deadline) {
            long n = Holder.LIBC.recv(fd, buf, buf.length, 0);
            if (n == 0) {
                return null; // end of file: the helper is gone
            }
            if (n > 0) {
                byte[] frame = Arrays.copyOf(buf, (int) n);
                if (filter.test(frame)) {
                    return frame;
                }
            }
        }
        return null;
    }

    /** Whether the helper closed its end: recv returns end of file within {@code timeout}. */
    public boolean closedByHelper(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[70_000];
        while (System.nanoTime() < deadline) {
            if (Holder.LIBC.recv(fd, buf, buf.length, 0) == 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Holder.LIBC.close(fd);
        }
    }
}
