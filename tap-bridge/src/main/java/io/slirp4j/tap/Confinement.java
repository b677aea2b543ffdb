package io.slirp4j.tap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The sandbox and the seccomp filter ({@code --enable-sandbox}, {@code --enable-seccomp}; tried by default):
 * confining the helper once it holds its descriptors and before it serves the guest, with slirp4netns's guarantees
 * (its sandbox.c and seccompfilter.c) made to hold for a JVM.
 *
 * <p>How it works. The sandbox needs a mount namespace of this process's own, and a JVM cannot make one:
 * unshare(CLONE_NEWNS) fails with EINVAL once threads share the fs_struct, and they do from the JVM's first
 * moment. So the launcher script starts the JVM in a fresh one ({@code unshare --mount}, joining the target's user
 * namespace first when not root, as slirp4netns does) and names in {@link #LAUNCHER_MOUNT_NS} the namespace it
 * left; {@link #enterSandbox} refuses to pivot unless this process's namespace differs from that one, since a
 * pivot_root in a shared namespace would move every process in it. It then builds a root on an empty tmpfs holding
 * only {@link #sandboxPaths} read-only (/etc and /run as slirp4netns binds them, the directory holding the real
 * /etc/resolv.conf when that is a symlink elsewhere, the JDK and the helper's own code, /dev/null and the random
 * devices; copied with open_tree before the tmpfs goes up, as it may hide them), pivots into it (every thread at
 * once: they share the root) and detaches the old root. System libraries that code loaded later links are
 * dlopen'ed first ({@link #SYSTEM_LIBRARIES}): the root does not hold the system's library directories. Then it drops
 * every capability but CAP_NET_BIND_SERVICE, and sets no_new_privs, in every thread: those are per thread, so
 * libslirp4j signals each thread to do it itself and then checks every thread's status, failing the start-up if
 * one escaped. {@link #installSeccomp} loads the filter with SECCOMP_FILTER_FLAG_TSYNC, which the kernel applies
 * to every thread atomically; threads made later inherit all of it. A failure that changed nothing is
 * {@link Unavailable}: the caller may go on unconfined where confinement was only tried.
 */
public final class Confinement {
    /** The one capability kept: forwards of host ports below 1024 added later through the API need it. */
    public static final int CAP_NET_BIND_SERVICE = 10;
    /**
     * Set by the launcher to the mount namespace ({@code readlink /proc/self/ns/mnt}) it ran in before it started
     * the JVM in a new one.
     */
    public static final String LAUNCHER_MOUNT_NS = "SLIRP4J_SANDBOX_FROM_MNTNS";
    /** The directory the sandbox's tmpfs is mounted on (in the helper's own mount namespace only). */
    static final String TMPFS_DIR = "/tmp";
    /** Devices a JVM may still open: /dev/null, and the random devices that SecureRandom reads. */
    static final List<String> DEVICES = List.of("/dev/null", "/dev/random", "/dev/urandom");

    /**
     * System libraries that code loaded after the sandbox went up links (Netty's native transport: libdl, librt;
     * the JDK's libzip: libz), loaded before it: the sandbox binds the JDK and lib/, not the system's library
     * directories. Loading them costs well under a millisecond; loading Netty's transport itself before the
     * sandbox cost ~100 ms of start-up on 2 cores.
     */
    static final List<String> SYSTEM_LIBRARIES = List.of("libdl.so.2", "librt.so.1", "libpthread.so.0", "libz.so.1");

    private Confinement() {}

    /**
     * Confinement could not be entered and nothing was changed: the helper may go on without it (where it was only
     * tried) or must stop (where it was required).
     */
    public static final class Unavailable extends IOException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A path the sandbox's root holds, read-only at the same path. */
    public record Bind(String path, boolean executable, boolean devices) {
        int flags() {
            return (executable ? 1 : 0) | (devices ? 2 : 0);
        }
    }

    /**
     * What the sandbox's root holds: /etc and /run (no executables there), the directory of {@code resolvConf}'s
     * real path when it lies elsewhere (so that DNS keeps re-reading it after a rename), {@code codeDirs} (the JDK
     * and the helper's jars and libraries: mapped executable), and {@link #DEVICES}. Paths that do not exist are
     * left out; a path inside another is bound with it (its flags join the outer one's).
     */
    public static List<Bind> sandboxPaths(Path resolvConfReal, List<Path> codeDirs, Predicate<Path> exists) {
        List<Bind> wanted = new ArrayList<>();
        wanted.add(new Bind("/etc", false, false));
        wanted.add(new Bind("/run", false, false));
        if (resolvConfReal != null && resolvConfReal.getParent() != null) {
            wanted.add(new Bind(resolvConfReal.getParent().toString(), false, false));
        }
        for (Path dir : codeDirs) {
            wanted.add(new Bind(dir.toString(), true, false));
        }
        for (String device : DEVICES) {
            wanted.add(new Bind(device, false, true));
        }
        // outer paths first, so that each inner one finds its outer one already kept (loops, not streams and
        // lambdas: this runs on the way to the ready byte, where each new lambda costs milliseconds)
        wanted.sort(OUTER_FIRST);
        List<Bind> kept = new ArrayList<>();
        for (Bind b : wanted) {
            Path p = Path.of(b.path());
            if (!p.isAbsolute() || p.getNameCount() == 0 || !exists.test(p)) {
                continue;
            }
            int outer = -1;
            for (int i = 0; i < kept.size() && outer < 0; i++) {
                if (p.startsWith(Path.of(kept.get(i).path()))) {
                    outer = i;
                }
            }
            if (outer < 0) {
                kept.add(b);
            } else {
                Bind o = kept.get(outer);
                kept.set(outer, new Bind(o.path(), o.executable() || b.executable(), o.devices() || b.devices()));
            }
        }
        return List.copyOf(kept);
    }

    /** Fewer path elements first, then by name. */
    private static final Comparator<Bind> OUTER_FIRST = new Comparator<>() {
        @Override
        public int compare(Bind a, Bind b) {
            int byDepth = Integer.compare(Path.of(a.path()).getNameCount(), Path.of(b.path()).getNameCount());
            return byDepth != 0 ? byDepth : a.path().compareTo(b.path());
        }
    };

    /**
     * The sandbox for this JVM: its resolv.conf's real path, and as code the JDK ({@code java.home}), the
     * directories of the class path and of libslirp4j.
     */
    public static List<Bind> sandboxPathsForThisJvm(Path resolvConf) {
        List<Path> code = new ArrayList<>();
        addReal(code, Path.of(System.getProperty("java.home")), false);
        for (String entry : System.getProperty("java.class.path", "").split(":")) {
            if (!entry.isEmpty()) {
                addReal(code, Path.of(entry), true);
            }
        }
        String lib = System.getProperty(Native.PATH_PROPERTY);
        if (lib != null) {
            addReal(code, Path.of(lib), true);
        }
        Path resolvReal = null;
        try {
            resolvReal = resolvConf.toRealPath();
        } catch (IOException e) {
            // no resolv.conf (yet): /etc is bound, and a later one there is seen
        }
        return sandboxPaths(resolvReal, code, EXISTS);
    }

    private static final Predicate<Path> EXISTS = new Predicate<>() {
        @Override
        public boolean test(Path p) {
            return Files.exists(p);
        }
    };

    private static void addReal(List<Path> into, Path path, boolean fileMeansItsDirectory) {
        try {
            Path real = path.toAbsolutePath().toRealPath();
            into.add(fileMeansItsDirectory && !Files.isDirectory(real) ? real.getParent() : real);
        } catch (IOException e) {
            // gone: nothing to bind
        }
    }

    /**
     * Enters the sandbox: the root with {@code binds} only, then every thread without capabilities but
     * CAP_NET_BIND_SERVICE and with no_new_privs. Returns the number of threads it reached.
     */
    public static int enterSandbox(List<Bind> binds) throws IOException {
        requireOwnMountNamespace();
        Native.preloadLibraries(SYSTEM_LIBRARIES.toArray(new String[0]));
        int taskFd = Posix.check(Native.open("/proc/self/task", LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC),
            "open(/proc/self/task)");
        try {
            String[] paths = new String[binds.size()];
            int[] flags = new int[binds.size()];
            for (int i = 0; i < paths.length; i++) {
                paths[i] = binds.get(i).path();
                flags[i] = binds.get(i).flags();
            }
            int[] step = new int[3];
            int r = Native.sandboxRoot(TMPFS_DIR, paths, flags, step);
            if (r < 0) {
                ErrnoException e = Posix.failure("cannot create the sandbox: " + sandboxStep(step[0],
                    step[1] >= 0 && step[1] < paths.length ? paths[step[1]] : null), r);
                throw step[2] == 0 ? new Unavailable(e.getMessage(), e) : e;
            }
            int[] out = new int[3];
            r = Native.dropCapabilities(CAP_NET_BIND_SERVICE, taskFd, out);
            if (r < 0) {
                throw Posix.failure("cannot drop capabilities: " + dropStep(out[2], out[1]), r);
            }
            return out[0];
        } finally {
            Native.close(taskFd);
        }
    }

    /** Refuses to pivot in a mount namespace the launcher did not make for this process alone. */
    private static void requireOwnMountNamespace() throws IOException {
        String from = System.getenv(LAUNCHER_MOUNT_NS);
        String own = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        if (from == null || from.isEmpty() || from.equals(own)) {
            throw new Unavailable("the sandbox needs a mount namespace of its own, which the slirp4j launcher"
                + " (bin/slirp4j) makes when it can; this one (" + own + ") is "
                + (from == null || from.isEmpty() ? "not known to be private" : "the one it was started in"), null);
        }
    }

    static String sandboxStep(int step, String path) {
        return switch (step) {
            case 1 -> "mount(\"/\", MS_REC|MS_PRIVATE)";
            case 2 -> "mount tmpfs on " + TMPFS_DIR;
            case 3 -> "mkdir for " + path;
            case 4 -> "stat(" + path + ")";
            case 5 -> "create mount point for " + path;
            case 6 -> "copy the mounts at " + path + " (open_tree, Linux 5.2+)";
            case 7 -> "make " + path + " read-only (mount_setattr, Linux 5.12+)";
            case 8 -> "chdir";
            case 9 -> "pivot_root";
            case 10 -> "detach the old root";
            case 11 -> "rmdir the old root";
            case 12 -> "remount / read-only";
            case 13 -> "attach " + path + " (move_mount)";
            default -> "step " + step;
        };
    }

    static String dropStep(int step, int thread) {
        return switch (step) {
            case 1 -> "installing the signal handler";
            case 2 -> "listing threads";
            case 3 -> "signalling threads";
            case 4 -> "a thread's drop";
            case 5 -> "thread " + thread + " kept capabilities or lacks no_new_privs";
            default -> "step " + step;
        };
    }

    /**
     * Installs the seccomp filter on every thread (and no_new_privs). Returns its length in instructions. The kernel
     * installs it on all threads or on none, so a failure is {@link Unavailable}.
     */
    public static int installSeccomp() throws IOException {
        int[] out = new int[2];
        int r = Native.installSeccomp(out);
        if (r < 0) {
            String what = out[1] > 0 ? "seccomp: thread " + out[1] + " could not be synchronised" : "seccomp";
            ErrnoException e = Posix.failure(what, r);
            throw new Unavailable(e.getMessage(), e);
        }
        return out[0];
    }

    /** What a test can ask the confined helper to try (each harmless whatever the answer). */
    public enum Probe {
        READ_FILE(0), EXECVE(1), MOUNT(2), PTRACE(3), UNSHARE(4), SETNS(5), CLONE3(6), CHROOT(7), PIDFD_OPEN(8),
        PRCTL_SET_DUMPABLE(9), PRCTL_SET_NAME(10), PROCESS_VM_READV(11);

        final int code;

        Probe(int code) {
            this.code = code;
        }
    }

    /**
     * Tries each probe and returns its result: "0" (or another count) on success, else the errno's name as
     * strerror gives it. {@code readPath} is the file READ_FILE opens.
     */
    public static Map<Probe, String> probe(String readPath) {
        Map<Probe, String> results = new LinkedHashMap<>();
        for (Probe p : Probe.values()) {
            int r = Native.probe(p.code, p == Probe.READ_FILE ? readPath : null);
            results.put(p, r >= 0 ? "ok" : "errno " + -r + " (" + Native.strerror(-r) + ")");
        }
        return results;
    }
}
