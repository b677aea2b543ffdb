package io.slirp4j.tap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Entering the target's namespaces from a JVM.
 *
 * <p>Theory of operation. A JVM is multi-threaded, and setns(2) into a user namespace is refused to any
 * multi-threaded process; setns into a network namespace changes only the calling thread, and needs
 * CAP_SYS_ADMIN both in the caller's own user namespace and in the one owning the target netns, which an
 * unprivileged user in the host user namespace lacks (rootlesskit, slirp4netns's test suite, manual use). So the
 * helper never enters the target itself. {@link #openInTarget} forks a child (one thread, no JVM: a few system
 * calls in libslirp4j) that joins the target's user namespace when needed, then its network namespace, opens
 * {@code /dev/net/tun} and, for {@code -c}, an AF_INET socket there, passes both descriptors back over a socket
 * pair and exits. A tun fd and a socket stay bound to the netns they were opened in, and the kernel checks
 * TUNSETIFF, SIOCSIF* and SIOCADDRT against CAP_NET_ADMIN in the user namespace owning that netns, which the
 * owner of a user namespace holds from its parent namespace. So the rest (creating or attaching the tap,
 * configuring it) runs here, in the host namespaces, on those descriptors.
 *
 * <p>Measured here (2 cores, JDK 17): the child costs about 1 ms. The design before this one re-executed the
 * whole JVM under {@code nsenter --user} when rootless (a second JVM start, 0.3-0.5 s) and switched a discarded
 * thread into the netns; it also needed nsenter, and an execve that had to keep the -r/-e descriptors open.
 * pidfd_getfd on an nsenter'd child would also work, but needs kernel 5.6, ptrace rights over the child (Yama)
 * and a program for the child to run; the fork needs neither.
 */
public final class Namespaces {
    static final int CAP_SYS_ADMIN = 21;
    static final long NS_GET_NSTYPE = 0xb703;
    private Namespaces() {}

    /** Whether this process holds CAP_SYS_ADMIN in its own user namespace (root, or uid 0 inside podman's). */
    public static boolean hasCapSysAdmin() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << CAP_SYS_ADMIN)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    /** Whether two namespace files (e.g. /proc/PID/ns/user, or a bind mount of one) name the same namespace. */
    public static boolean sameNamespace(Path a, Path b) throws IOException {
        Map<String, Object> x = Files.readAttributes(a, "unix:dev,ino");
        Map<String, Object> y = Files.readAttributes(b, "unix:dev,ino");
        return x.get("dev").equals(y.get("dev")) && x.get("ino").equals(y.get("ino"));
    }

    /**
     * Fails unless {@code path} names a user namespace. A privileged helper never joins it, so without this check
     * a wrong {@code --userns-path} would pass silently, where slirp4netns fails.
     */
    public static void requireUserNamespace(Path path) throws IOException {
        int fd = Posix.check(Native.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC), path.toString());
        try {
            int type = Native.ioctl(fd, NS_GET_NSTYPE, null);
            if (type != LibC.CLONE_NEWUSER) {
                throw new IOException(path + " is not a user namespace");
            }
        } finally {
            Native.close(fd);
        }
    }

    /**
     * Decides whether this process must first join {@code userns}: true when it lacks CAP_SYS_ADMIN and the
     * user namespace differs from its own.
     */
    public static boolean needsUserNamespaceJoin(Path userns) throws IOException {
        if (userns == null || hasCapSysAdmin()) {
            return false;
        }
        return !sameNamespace(userns, Path.of("/proc/self/ns/user"));
    }

    /** What {@link #openInTarget} opened inside the target network namespace. */
    /**
     * @param tun     /dev/net/tun opened there
     * @param socket  an AF_INET datagram socket made there (for the interface ioctls), or -1
     * @param netlink an rtnetlink socket made there (for what the ioctls cannot say), or -1
     */
    public record TargetDescriptors(int tun, int socket, int netlink) {
        /** Closes the sockets (not the tun fd). */
        public void closeSockets() {
            if (socket >= 0) {
                Posix.close(socket);
            }
            if (netlink >= 0) {
                Posix.close(netlink);
            }
        }
    }

    /**
     * Opens {@code /dev/net/tun} and, with {@code withSocket}, an AF_INET datagram socket and an rtnetlink socket
     * inside {@code netns},
     * joining {@code userns} first when it is not null (see {@link #needsUserNamespaceJoin}). Both descriptors are
     * close-on-exec; the tun fd is non-blocking.
     */
    public static TargetDescriptors openInTarget(Path netns, Path userns, boolean withSocket) throws IOException {
        int[] out = new int[4];
        int r = Native.openInNamespaces(userns == null ? null : userns.toString(), netns.toString(), withSocket, out);
        if (r >= 0) {
            return new TargetDescriptors(out[0], out[1], out[3]);
        }
        // the child's steps, as slirp4j_native.c numbers them
        ErrnoException e = switch (out[2]) {
            case 1 -> Posix.failure(String.valueOf(userns), r);
            case 2 -> Posix.failure("setns(" + userns + ", CLONE_NEWUSER)", r);
            case 3 -> Posix.failure(netns.toString(), r);
            case 4 -> Posix.failure("setns(CLONE_NEWNET)", r);
            case 5 -> Posix.failure("open(\"/dev/net/tun\")", r);
            case 6 -> Posix.failure("cannot create socket", r);
            default -> Posix.failure("cannot enter " + netns, r);
        };
        if (out[2] == 4 && e.errno() == LibC.EINVAL) {
            throw new IOException(e.getMessage() + " (" + netns + " is not a network namespace)", e);
        }
        throw e;
    }

    /**
     * Runs {@code task} on a new thread switched into the network namespace at {@code netns}, and discards the
     * thread. The task must not start threads (they would inherit the namespace). Needs CAP_SYS_ADMIN here and over
     * the target: the end-to-end tests use it as root to open sockets in their namespaces; the helper does not.
     */
    public static <T> T inNetworkNamespace(Path netns, Callable<T> task) throws IOException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                int nsFd = Posix.check(Native.open(netns.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC),
                    netns.toString());
                try {
                    int r = Native.setns(nsFd, LibC.CLONE_NEWNET);
                    if (r < 0) {
                        ErrnoException e = Posix.failure("setns(CLONE_NEWNET)", r);
                        throw e.errno() == LibC.EINVAL
                            ? new IOException(e.getMessage() + " (" + netns + " is not a network namespace)", e)
                            : e;
                    }
                } finally {
                    Posix.close(nsFd);
                }
                result.set(task.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "slirp4j-netns-switch");
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while joining " + netns, e);
        }
        Throwable t = failure.get();
        if (t instanceof IOException io) {
            throw io;
        } else if (t instanceof RuntimeException re) {
            throw re;
        } else if (t != null) {
            throw new IOException(t);
        }
        return result.get();
    }
}
