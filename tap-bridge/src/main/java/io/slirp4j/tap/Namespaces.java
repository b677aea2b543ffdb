package io.slirp4j.tap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Entering the target's namespaces from a JVM.
 *
 * <p>Theory of operation. setns(2) into a network namespace changes only the calling thread, and needs
 * CAP_SYS_ADMIN both in the caller's own user namespace and in the one owning the target netns. setns into a
 * user namespace is refused to any multi-threaded process, which a JVM always is. So:
 * <ul>
 *   <li>The tap fd is opened (and the interface configured) on a dedicated thread that switches into the target
 *       netns and is then discarded: threads it started would inherit the namespace, and without privileges in
 *       the original namespace it could never switch back. A tun fd stays bound to the netns it was opened in,
 *       so the rest of the program uses it from ordinary threads in the host namespace.</li>
 *   <li>When the process lacks CAP_SYS_ADMIN in its own user namespace (an unprivileged user in the host
 *       user namespace: rootlesskit, slirp4netns's test suite, manual use) but the target lives in another user
 *       namespace it owns, the process replaces itself, keeping its PID and the fds it was given, with
 *       {@code nsenter --user=USERNS --preserve-credentials -- <this same JVM command line>}. The new JVM is
 *       then uid 0 with full capabilities in the target's user namespace, and the thread switch above works.
 *       Measured here (2 cores, JDK 17): this costs one more JVM start, ~0.3 s with the launcher's flags.</li>
 * </ul>
 * The cheaper alternative in DESIGN.md (an nsenter'd child that opens /dev/net/tun, the parent taking the fd
 * with pidfd_getfd) was rejected: the owner of a user namespace may operate on a tun fd from outside it, but
 * {@code -c} needs an AF_INET socket created inside the target netns for its ioctls, which no simple child
 * program can hand over; and one path for every case is easier to keep correct.
 */
public final class Namespaces {
    static final int CAP_SYS_ADMIN = 21;
    static final long NS_GET_NSTYPE = 0xb703;
    /** Set in the environment of the re-executed process, so that a failed join cannot loop. */
    public static final String REEXEC_MARKER = "SLIRP4J_USERNS_JOINED";

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

    /**
     * Replaces this process with {@code nsenter --user=USERNS --preserve-credentials -- <this JVM's command line>}.
     * Descriptors in {@code keepFds} stay open across the exec; every other descriptor from 3 up is closed.
     * Returns only by throwing.
     */
    public static void reexecInUserNamespace(Path userns, int... keepFds) throws IOException {
        if (System.getenv(REEXEC_MARKER) != null) {
            throw new IOException("joined the user namespace " + userns + " but still lack CAP_SYS_ADMIN there");
        }
        String nsenter = findExecutable("nsenter");
        List<String> argv = new ArrayList<>();
        argv.add("nsenter");
        argv.add("--user=" + userns.toAbsolutePath());
        argv.add("--preserve-credentials");
        argv.add("--");
        argv.add(Files.readSymbolicLink(Path.of("/proc/self/exe")).toString());
        List<String> cmdline = commandLine();
        argv.addAll(cmdline.subList(1, cmdline.size()));
        Map<String, String> env = new TreeMap<>(System.getenv());
        env.put(REEXEC_MARKER, "1");
        String[] envp = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        System.out.flush();
        System.err.flush();
        Posix.closeOnExecExcept(3, keepFds);
        throw Posix.failure("execve(" + nsenter + ")", Native.execve(nsenter, argv.toArray(new String[0]), envp));
    }

    private static List<String> commandLine() throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return args;
    }

    static String findExecutable(String name) throws IOException {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IOException(name + ": not found in PATH (it comes with util-linux)");
    }

    /**
     * Runs {@code task} on a new thread switched into the network namespace at {@code netns}, and discards the
     * thread. The task must not start threads (they would inherit the namespace).
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
