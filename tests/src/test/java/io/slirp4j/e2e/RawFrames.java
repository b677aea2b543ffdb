package io.slirp4j.e2e;

import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * Writes arbitrary Ethernet frames into the guest's tap with an AF_PACKET raw socket bound to it (and reads what
 * crosses it): the kernel
 * transmits them on the tap, which hands them to the helper exactly as written (only frames shorter than the
 * 14-byte Ethernet header, or longer than MTU + 14, are refused by the kernel). Root only.
 */
public final class RawFrames implements AutoCloseable {
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int ETH_P_ALL_BE = 0x0300; // htons(ETH_P_ALL = 3) on a little-endian host
    static final int SOL_SOCKET = 1;
    static final int SO_SNDTIMEO = 21;
    static final int SO_RCVTIMEO = 20;
    static final int EAGAIN = 11;
    static final int EMSGSIZE = 90;
    static final int EINVAL = 22;

    /** The libc calls used here. Public for jnr-ffi's generated class. */
    public interface LibC {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int bind(int fd, @In byte[] addr, int len);

        @SaveError
        @ssize_t
        long send(int fd, @In byte[] buf, @size_t long len, int flags);

        @SaveError
        int close(int fd);

        @SaveError
        int setsockopt(int fd, int level, int name, @In byte[] value, int len);

        @SaveError
        @ssize_t
        long recv(int fd, @jnr.ffi.annotations.Out byte[] buf, @size_t long len, int flags);

        @SaveError
        int if_nametoindex(@In String name);

        String strerror(int errnum);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    private final int fd;

    private RawFrames(int fd) {
        this.fd = fd;
    }

    /** Opens a raw packet socket on {@code ifname} inside {@code netns}. */
    public static RawFrames open(Path netns, String ifname) {
        int fd = TestNetwork.in(netns, () -> {
            LibC c = Holder.LIBC;
            int ifindex = c.if_nametoindex(ifname);
            if (ifindex == 0) {
                throw new IOException("if_nametoindex(" + ifname + "): " + err());
            }
            int s = c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, ETH_P_ALL_BE);
            if (s < 0) {
                throw new IOException("socket(AF_PACKET): " + err());
            }
            byte[] sll = new byte[20]; // struct sockaddr_ll
            sll[0] = (byte) AF_PACKET;
            sll[2] = 0x00; // sll_protocol, network order
            sll[3] = 0x03;
            sll[4] = (byte) ifindex;
            sll[5] = (byte) (ifindex >>> 8);
            sll[6] = (byte) (ifindex >>> 16);
            sll[7] = (byte) (ifindex >>> 24);
            if (c.bind(s, sll, sll.length) < 0) {
                String e = err();
                c.close(s);
                throw new IOException("bind(AF_PACKET, " + ifname + "): " + e);
            }
            // a send blocks while the tap's queue holds our earlier frames: bound that wait to 2 s
            byte[] timeval = new byte[16];
            timeval[0] = 2;
            // and a receive too: receive() loops on this until its own deadline
            byte[] shortWait = new byte[16];
            shortWait[8] = (byte) 0xa0; // 100000 microseconds
            shortWait[9] = (byte) 0x86;
            shortWait[10] = 0x01;
            if (c.setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, timeval, timeval.length) < 0
                || c.setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, shortWait, shortWait.length) < 0) {
                String e = err();
                c.close(s);
                throw new IOException("setsockopt(SO_SNDTIMEO/SO_RCVTIMEO): " + e);
            }
            return s;
        });
        return new RawFrames(fd);
    }

    private static String err() {
        int e = LastError.getLastError(Holder.RUNTIME);
        return Holder.LIBC.strerror(e) + " (errno " + e + ")";
    }

    /** What became of one frame. */
    public enum Sent { SENT, REFUSED, STALLED }

    /**
     * Sends one frame. REFUSED: the kernel would not take it (too short, too long). STALLED: the send waited
     * 2 s for room, i.e. the tap's queue stayed full because the helper is not reading its tap.
     */
    public Sent send(byte[] frame) {
        long n = Holder.LIBC.send(fd, frame, frame.length, 0);
        if (n == frame.length) {
            return Sent.SENT;
        }
        int e = LastError.getLastError(Holder.RUNTIME);
        return e == EAGAIN ? Sent.STALLED : Sent.REFUSED;
    }

    /**
     * The next frame seen on the interface (in either direction: the socket also sees what the guest sends)
     * that {@code filter} accepts, or null after {@code timeout}.
     */
    public byte[] receive(java.time.Duration timeout, java.util.function.Predicate<byte[]> filter) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[70_000];
        while (System.nanoTime() < deadline) {
            long n = Holder.LIBC.recv(fd, buf, buf.length, 0);
            if (n > 0) {
                byte[] frame = java.util.Arrays.copyOf(buf, (int) n);
                if (filter.test(frame)) {
                    return frame;
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        Holder.LIBC.close(fd);
    }
}
