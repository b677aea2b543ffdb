package io.slirp4j.tap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The system calls that neither the JDK nor Netty offer, bound with JNI to libslirp4j
 * ({@code src/main/c/slirp4j_native.c}). Every call returns its result, or {@code -errno} on failure; {@link Posix}
 * turns failures into exceptions.
 *
 * <p>JNI rather than jnr-ffi, measured on these machines (2 cores, JDK 17 with the class-data archive): loading
 * jnr-ffi and binding the same dozen functions took 120-160 ms of every start, the larger part of the path to
 * tap0; loading this library takes under 1 ms. The library is found at the path in the system property
 * {@code slirp4j.native} (the launcher points it into the distribution's lib/), or extracted from this jar into a
 * temporary file that is deleted once loaded (unit tests, and the jar used on its own).
 */
final class Native {
    static final String PATH_PROPERTY = "slirp4j.native";
    private static final String RESOURCE = "libslirp4j.so";

    static {
        load();
    }

    private Native() {}

    private static void load() {
        String path = System.getProperty(PATH_PROPERTY);
        if (path != null && Files.isReadable(Path.of(path))) {
            System.load(path);
            return;
        }
        try (InputStream in = Native.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new UnsatisfiedLinkError(RESOURCE + " is missing from the tap-bridge jar");
            }
            Path tmp = Files.createTempFile("libslirp4j-", ".so");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toString());
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + RESOURCE, e);
        }
    }

    /** Forces the class's initialisation, which loads the library. */
    static void ensureLoaded() {
        // the static initialiser did the work
    }

    static native int open(String path, int flags);

    static native int close(int fd);

    static native int fcntl(int fd, int cmd, int arg);

    static native int dup2(int from, int to);

    /** pidfd_open(2): a descriptor that polls readable when the process exits, or -errno. */
    static native int pidfdOpen(int pid);

    static native int setns(int fd, int nstype);

    static native int socket(int domain, int type, int protocol);

    /** getrlimit(RLIMIT_NOFILE)'s soft limit ({@code Long.MAX_VALUE}: unlimited), or -errno. */
    static native long openFilesLimit();

    /** {@code arg} is copied in and back out (a struct such as ifreq, up to 256 bytes); null passes NULL. */
    static native int ioctl(int fd, long request, byte[] arg);

    /** ioctl with {@code value} itself as the argument (TUNSETOFFLOAD). */
    static native int ioctlValue(int fd, long request, long value);

    /** SIOCADDRT on {@code sock}: a default route via {@code gateway} (an IPv4 address as an int) on {@code dev}. */
    static native int addDefaultRoute(int sock, String dev, int gateway);

    /** poll(2) on one fd: its revents, 0 after the time-out, or -errno. */
    static native int poll(int fd, int events, int timeoutMillis);

    /** Reads up to {@code len} (at most 4096) bytes into {@code buf} at {@code off}. */
    static native int read(int fd, byte[] buf, int off, int len);

    /** Writes up to {@code len} (at most 4096) bytes of {@code buf} from {@code off}. */
    static native int write(int fd, byte[] buf, int off, int len);

    static native String strerror(int errnum);

    /** A listening, non-blocking unix SOCK_SEQPACKET socket bound at {@code path} (backlog 1), or -errno. */
    static native int listenSeqpacket(String path);

    /** accept4(2), non-blocking and close-on-exec: the connection's fd, or -errno (-EAGAIN: none waiting). */
    static native int accept(int fd);

    /** if_nametoindex(3): the interface's index, or -errno (-ENODEV: no such interface). */
    static native int ifNameToIndex(String name);

    /**
     * The addresses of {@code family} (AF_INET, AF_INET6) on interface {@code name}, in getifaddrs(3) order,
     * concatenated (4 or 16 bytes each); null if getifaddrs failed, with -errno in {@code out[0]}.
     */
    static native byte[] interfaceAddresses(String name, int family, int[] out);

    /** A listening, non-blocking unix stream socket bound at {@code path}, or -errno. */
    static native int listenUnix(String path, int backlog);

    /**
     * From a forked child that joins {@code userns} (unless null) and {@code netns}: {@code /dev/net/tun} opened
     * there and, with {@code withSocket}, an AF_INET datagram socket and a NETLINK_ROUTE socket made there. Returns
     * 0 or -errno; {@code out} (4 ints) receives the tun fd, the socket fd (or -1), the number of the step that
     * failed (see {@link Namespaces}) and the netlink fd (or -1).
     */
    static native int openInNamespaces(String userns, String netns, boolean withSocket, int[] out);

    /**
     * A non-blocking socket of {@code family} (4 or 6), type and protocol for ICMP echo, bound to {@code bindAddress}
     * (4 or 16 bytes) unless null: datagram sockets get IP_RECVERR/IPV6_RECVERR, raw ICMP sockets a filter passing
     * only echo replies and errors. Returns the fd or -errno.
     */
    static native int echoSocket(int family, int type, int protocol, byte[] bindAddress);

    /** IP_TTL (family 4) or IPV6_UNICAST_HOPS (family 6); 0 or -errno. */
    static native int setTtl(int fd, int family, int ttl);

    /** sendto(2) from a direct buffer to {@code address} (4 or 16 bytes) and {@code port}: bytes sent or -errno. */
    static native int sendTo(int fd, java.nio.ByteBuffer buf, int offset, int length, byte[] address, int port);

    /**
     * recvfrom(2) into a direct buffer: the datagram's length (larger than {@code length} if it was truncated) or
     * -errno; the sender's address into {@code from} (16 bytes), its length (4 or 16) into {@code fromLength[0]}.
     */
    static native int recvFrom(int fd, java.nio.ByteBuffer buf, int offset, int length, byte[] from, int[] fromLength);

    /**
     * One report from the error queue (recvmsg MSG_ERRQUEUE): the quoted start of what was sent into the buffer;
     * returns its length or -errno (-EAGAIN: empty). {@code info} (7 ints): ee_errno, ee_origin, ee_type, ee_code,
     * ee_info, the length of the offender's address written to {@code offender} (0: none), the length of the
     * original destination written to {@code destination}.
     */
    static native int recvError(int fd, java.nio.ByteBuffer buf, int offset, int length, int[] info, byte[] offender,
        byte[] destination);

    /**
     * Mounts an empty tmpfs on {@code tmpfsDir}, binds each of {@code paths} read-only at its own path in it
     * ({@code flags}: 1 executable mappings allowed, 2 device nodes usable), pivots into it and detaches the old root.
     * Returns 0 or -errno; {@code step} receives the failed step and the index of the path (see {@link Confinement}).
     */
    static native int sandboxRoot(String tmpfsDir, String[] paths, int[] flags, int[] step);

    /**
     * Sets no_new_privs and drops every capability but {@code keep} (-1: all) in every thread, then checks each
     * thread's status in {@code taskFd} (an open /proc/self/task). Returns 0 or -errno; {@code out}: threads reached,
     * a thread that failed the check, the failed step.
     */
    static native int dropCapabilities(int keep, int taskFd, int[] out);

    /** Installs the seccomp filter on every thread: 0 or -errno; {@code out}: instructions, unsynchronised thread. */
    static native int installSeccomp(int[] out);

    /** dlopen(3)s each soname and keeps it loaded: how many were found. */
    static native int preloadLibraries(String[] sonames);

    /** One confinement probe (see {@link Confinement#probe}): the call's result or -errno. */
    static native int probe(int which, String arg);
}
