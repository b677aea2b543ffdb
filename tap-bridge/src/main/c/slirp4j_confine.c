/*
 * libslirp4j, part two: confining the running helper (--enable-sandbox, --enable-seccomp), bound with JNI for
 * io.slirp4j.tap.Native and driven by io.slirp4j.tap.Confinement, which decides what to bind and in which order.
 *
 * Three steps, each a function here because Java cannot make the calls:
 *  - sandboxRoot: in a mount namespace that the launcher created for this process before the JVM started (a JVM
 *    is multi-threaded, and unshare(CLONE_NEWNS) refuses a process whose threads share their fs_struct), builds a
 *    root on an empty tmpfs holding only the given paths, each bound read-only, pivots into it and detaches the
 *    old root. pivot_root moves the root and working directory of every thread at once: they share one fs_struct.
 *  - dropCapabilities: capability sets, the bounding and ambient sets and no_new_privs belong to each thread, and
 *    capset(2) changes only the caller's. So the calling thread sends every other thread of the process a
 *    real-time signal whose handler makes the same raw system calls (all async-signal-safe), waits for each to
 *    answer, repeats until a pass finds no thread it has not reached (a thread made meanwhile by one not yet
 *    reached), and then reads every thread's /proc status to prove the result (glibc's setxid broadcast and
 *    libcap's psx work the same way).
 *  - installSeccomp: a classic BPF filter, installed with SECCOMP_FILTER_FLAG_TSYNC so that the kernel applies it
 *    (and no_new_privs) to every thread atomically.
 * Every function returns 0 or -errno and reports which step failed; the Java side turns that into a message.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* PTRACE_PEEKDATA: reads a word of a tracee; the probe asks it of a process it does not trace */
#define PTRACE_PEEKDATA_PROBE 2L

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
struct mount_attr {
    uint64_t attr_set;
    uint64_t attr_clr;
    uint64_t propagation;
    uint64_t userns_fd;
};
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

/* ---------------------------------------------------------------------------------------------------------------
 * The sandbox's root
 */

/* What each bound path allows (the flags array of sandboxRoot). */
enum { BIND_EXEC = 1, BIND_DEVICES = 2 };

/* The steps of sandboxRoot, reported in step[0] (Confinement names them). */
enum {
    SB_PRIVATE = 1, SB_TMPFS, SB_MKDIR, SB_STAT, SB_MKNODE, SB_BIND, SB_SETATTR, SB_CHDIR, SB_PIVOT, SB_UMOUNT,
    SB_RMDIR, SB_REMOUNT_ROOT, SB_ATTACH
};
#define MAX_BINDS 64

/* mkdir -p for an absolute path below the current directory (the new root): "a/b/c" relative, mode 0755. */
static int make_dirs(char *rel) {
    for (char *p = rel; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (*rel != '\0' && mkdir(rel, 0755) < 0 && errno != EEXIST) {
                *p = '/';
                return -1;
            }
            *p = '/';
        }
    }
    return mkdir(rel, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Creates the mount point for `path` (absolute) under the new root, a directory or an empty file like `path`. */
static int make_mount_point(const char *path, int is_dir, int *step) {
    char rel[4096];
    size_t n = strlen(path);
    if (n < 2 || n >= sizeof(rel) || path[0] != '/') {
        *step = SB_MKDIR;
        errno = EINVAL;
        return -1;
    }
    memcpy(rel, path + 1, n); /* with its NUL */
    if (is_dir) {
        *step = SB_MKDIR;
        return make_dirs(rel);
    }
    char *slash = strrchr(rel, '/');
    if (slash != NULL) {
        *slash = '\0';
        if (make_dirs(rel) < 0) {
            *step = SB_MKDIR;
            return -1;
        }
        *slash = '/';
    }
    int fd = open(rel, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        *step = SB_MKNODE;
        return -1;
    }
    close(fd);
    return 0;
}

/*
 * A read-only copy of the mount tree at `path` (everything mounted below it included), detached, as an fd for
 * move_mount. Taken before the tmpfs goes up, since the tmpfs may hide `path` (a distribution under /tmp).
 * mount_setattr reaches the submounts too (a plain remount changes only the top one: /run/user/N would stay
 * writable); it only adds restrictions, so it also works on mounts that a user namespace locked.
 */
static int clone_read_only(const char *path, int flags, int *is_dir, int *step) {
    struct stat st;
    if (stat(path, &st) < 0) {
        *step = SB_STAT;
        return -1;
    }
    *is_dir = S_ISDIR(st.st_mode);
    int fd = (int) syscall(__NR_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (fd < 0) {
        *step = SB_BIND;
        return -1;
    }
    struct mount_attr attr = {0};
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
    if (!(flags & BIND_EXEC)) {
        attr.attr_set |= MOUNT_ATTR_NOEXEC;
    }
    if (!(flags & BIND_DEVICES)) {
        attr.attr_set |= MOUNT_ATTR_NODEV;
    }
    if (syscall(__NR_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        *step = SB_SETATTR;
        return -1;
    }
    return fd;
}

/*
 * Makes `tmpfs_dir` (an existing directory, e.g. /tmp) an empty tmpfs, attaches a read-only copy of the mounts at
 * each of `paths` at its own path inside it (flags[i]: BIND_EXEC lets libraries under it be mapped executable, BIND_DEVICES keeps device
 * nodes usable), pivots into it, detaches the old root and makes the new root read-only. Must run in a mount
 * namespace of this process alone. step[0] = the step that failed, step[1] = the index of the path it failed on,
 * step[2] = 1 if it failed after the pivot (before it, the process is left as it was).
 */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_sandboxRoot(JNIEnv *env, jclass c, jstring tmpfs_dir,
                                                              jobjectArray paths, jintArray flags,
                                                              jintArray step_out) {
    jint step[3] = {0, -1, 0};
    int r = 0;
    int tmpfs_mounted = 0;
    const char *dir = (*env)->GetStringUTFChars(env, tmpfs_dir, NULL);
    if (dir == NULL) {
        return -ENOMEM;
    }
    jsize count = (*env)->GetArrayLength(env, paths);
    jint *f = (*env)->GetIntArrayElements(env, flags, NULL);
    if (f == NULL) {
        (*env)->ReleaseStringUTFChars(env, tmpfs_dir, dir);
        return -ENOMEM;
    }
    int trees[MAX_BINDS];
    int dirs[MAX_BINDS];
    jsize made = 0;
    /* to come back to if it fails before the pivot (relative paths keep meaning what they meant) */
    int old_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (count > MAX_BINDS) {
        errno = E2BIG;
        step[0] = SB_BIND;
        goto fail;
    }
    /* nothing done here may reach the namespace we came from */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        step[0] = SB_PRIVATE;
        goto fail;
    }
    for (; made < count; made++) {
        jstring js = (jstring) (*env)->GetObjectArrayElement(env, paths, made);
        const char *p = (*env)->GetStringUTFChars(env, js, NULL);
        int s = SB_BIND;
        int fd = p == NULL ? (errno = ENOMEM, -1) : clone_read_only(p, f[made], &dirs[made], &s);
        int saved = errno;
        if (p != NULL) {
            (*env)->ReleaseStringUTFChars(env, js, p);
        }
        (*env)->DeleteLocalRef(env, js);
        if (fd < 0) {
            errno = saved;
            step[0] = s;
            step[1] = made;
            goto fail;
        }
        trees[made] = fd;
    }
    if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") < 0) {
        step[0] = SB_TMPFS;
        goto fail;
    }
    tmpfs_mounted = 1;
    if (chdir(dir) < 0) {
        step[0] = SB_CHDIR;
        goto fail;
    }
    for (jsize i = 0; i < count; i++) {
        jstring js = (jstring) (*env)->GetObjectArrayElement(env, paths, i);
        const char *p = (*env)->GetStringUTFChars(env, js, NULL);
        int s = SB_ATTACH;
        int ok = p == NULL ? (errno = ENOMEM, -1) : make_mount_point(p, dirs[i], &s);
        if (ok == 0 && syscall(__NR_move_mount, trees[i], "", AT_FDCWD, p + 1, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
            ok = -1;
            s = SB_ATTACH;
        }
        int saved = errno;
        if (p != NULL) {
            (*env)->ReleaseStringUTFChars(env, js, p);
        }
        (*env)->DeleteLocalRef(env, js);
        if (ok < 0) {
            errno = saved;
            step[0] = s;
            step[1] = i;
            goto fail;
        }
    }
    /* an empty, read-only /tmp: libraries look for java.io.tmpdir (Netty warns without one) */
    if (mkdir("tmp", 0755) < 0 && errno != EEXIST) {
        step[0] = SB_MKDIR;
        goto fail;
    }
    if (mkdir(".old-root", 0700) < 0) {
        step[0] = SB_MKDIR;
        goto fail;
    }
    if (syscall(__NR_pivot_root, ".", ".old-root") < 0) {
        step[0] = SB_PIVOT;
        goto fail;
    }
    step[2] = 1; /* from here on a failure leaves the process half inside: the caller must not go on */
    if (chdir("/") < 0) {
        step[0] = SB_CHDIR;
        goto fail;
    }
    if (umount2("/.old-root", MNT_DETACH) < 0) {
        step[0] = SB_UMOUNT;
        goto fail;
    }
    if (rmdir("/.old-root") < 0) {
        step[0] = SB_RMDIR;
        goto fail;
    }
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
        step[0] = SB_REMOUNT_ROOT;
        goto fail;
    }
    goto done;
fail:
    r = -errno;
    if (!step[2] && tmpfs_mounted) {
        /* not pivoted: leave the process as it was (the tmpfs, and what was attached in it, go) */
        if ((old_cwd >= 0 ? fchdir(old_cwd) : chdir("/")) == 0) {
            umount2(dir, MNT_DETACH);
        }
    }
done:
    if (old_cwd >= 0) {
        close(old_cwd);
    }
    for (jsize i = 0; i < made; i++) {
        close(trees[i]);
    }
    (*env)->ReleaseIntArrayElements(env, flags, f, JNI_ABORT);
    (*env)->ReleaseStringUTFChars(env, tmpfs_dir, dir);
    (*env)->SetIntArrayRegion(env, step_out, 0, 3, step);
    return r;
}

/*
 * Loads each of the shared libraries named (sonames such as "libdl.so.2") and keeps it loaded, so that a library
 * the JVM loads after the sandbox went up (Netty's native transport, from the helper's lib/, which is bound) finds
 * the system libraries it links already in memory: the sandbox does not bind the system's library directories.
 * Returns how many were loaded; a name this system lacks is skipped.
 */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_preloadLibraries(JNIEnv *env, jclass c, jobjectArray names) {
    jsize count = (*env)->GetArrayLength(env, names);
    jint loaded = 0;
    for (jsize i = 0; i < count; i++) {
        jstring js = (jstring) (*env)->GetObjectArrayElement(env, names, i);
        const char *name = (*env)->GetStringUTFChars(env, js, NULL);
        if (name != NULL) {
            loaded += dlopen(name, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE) != NULL;
            (*env)->ReleaseStringUTFChars(env, js, name);
        }
        (*env)->DeleteLocalRef(env, js);
    }
    return loaded;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Capabilities of every thread
 */

/* The signal that carries the drop to the other threads: one the JVM and glibc leave alone (glibc keeps the first
 * two real-time signals for itself; HotSpot uses SIGUSR2, SIGQUIT and the fault signals). */
#define DROP_SIGNAL (SIGRTMAX - 3)
#define MAX_THREADS 8192

static volatile int keep_cap = -1;      /* the one capability kept, or -1 */
static volatile int first_error;        /* the first errno a thread met, 0 if none */
/* The threads signalled in the current pass, and which of them have answered (written by the handler). */
static pid_t pending[MAX_THREADS];
static volatile int pending_answered[MAX_THREADS];
static volatile int pending_count;

/* One thread's part, in raw system calls (async-signal-safe). Order matters: PR_CAPBSET_DROP needs CAP_SETPCAP,
 * which capset then removes. */
static int drop_own_capabilities(void) {
    if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0
        || syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L) < 0) {
        return errno;
    }
    for (long cap = 0;; cap++) {
        if (cap == keep_cap) {
            continue;
        }
        if (syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0L, 0L, 0L) < 0) {
            if (errno == EINVAL) {
                break; /* past the last capability this kernel knows */
            }
            return errno;
        }
    }
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (keep_cap >= 0) {
        uint32_t bit = 1U << (keep_cap % 32);
        /* capset refuses to add to the permitted set: keep the capability only if this thread has it */
        struct __user_cap_data_struct now[2];
        if (syscall(SYS_capget, &header, now) < 0) {
            return errno;
        }
        if (now[keep_cap / 32].permitted & bit) {
            data[keep_cap / 32].permitted = bit;
            data[keep_cap / 32].effective = bit;
            data[keep_cap / 32].inheritable = bit;
        }
    }
    if (syscall(SYS_capset, &header, data) < 0) {
        return errno;
    }
    return 0;
}

static void note_error(int err) {
    if (err != 0) {
        int none = 0;
        __atomic_compare_exchange_n(&first_error, &none, err, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
}

static void drop_handler(int sig) {
    int saved = errno;
    note_error(drop_own_capabilities());
    pid_t self = (pid_t) syscall(SYS_gettid);
    int n = __atomic_load_n(&pending_count, __ATOMIC_SEQ_CST);
    for (int i = 0; i < n; i++) {
        if (pending[i] == self) {
            __atomic_store_n(&pending_answered[i], 1, __ATOMIC_SEQ_CST);
        }
    }
    errno = saved;
}

/* The thread ids in the task directory `task_fd` (rewound first), into tids; returns how many, or -1. */
static int list_threads(int task_fd, pid_t *tids, int max) {
    if (lseek(task_fd, 0, SEEK_SET) < 0) {
        return -1;
    }
    char buf[4096];
    int n = 0;
    for (;;) {
        long got = syscall(SYS_getdents64, task_fd, buf, sizeof(buf));
        if (got < 0) {
            return -1;
        }
        if (got == 0) {
            return n;
        }
        for (long off = 0; off < got;) {
            struct dirent64 *d = (struct dirent64 *) (buf + off);
            off += d->d_reclen;
            if (d->d_name[0] >= '0' && d->d_name[0] <= '9' && n < max) {
                tids[n++] = (pid_t) atoi(d->d_name);
            }
        }
    }
}

static int contains(const pid_t *set, int n, pid_t tid) {
    for (int i = 0; i < n; i++) {
        if (set[i] == tid) {
            return 1;
        }
    }
    return 0;
}

/* Reads a "Name:\tHEX" or "Name:\tN" line of a status file's text; returns 0 and the value, or -1. */
static int status_field(const char *text, const char *name, int hex, uint64_t *value) {
    size_t len = strlen(name);
    for (const char *line = text; line != NULL && *line != '\0';) {
        if (strncmp(line, name, len) == 0 && line[len] == ':') {
            *value = strtoull(line + len + 1, NULL, hex ? 16 : 10);
            return 0;
        }
        line = strchr(line, '\n');
        if (line != NULL) {
            line++;
        }
    }
    return -1;
}

/*
 * Proves the drop: every thread's permitted, effective, bounding and ambient sets hold nothing but the kept
 * capability, and no_new_privs is set. Returns 0, or -EPERM with the thread's id in *bad_tid.
 */
static int verify_threads(int task_fd, uint64_t allowed, pid_t *tids, int *bad_tid) {
    int n = list_threads(task_fd, tids, MAX_THREADS);
    if (n < 0) {
        return -errno;
    }
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "%d/status", tids[i]);
        int fd = openat(task_fd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) {
                continue; /* the thread ended */
            }
            return -errno;
        }
        char text[8192];
        ssize_t got = read(fd, text, sizeof(text) - 1);
        close(fd);
        if (got <= 0) {
            continue; /* ended between open and read */
        }
        text[got] = '\0';
        static const char *const sets[] = {"CapPrm", "CapEff", "CapBnd", "CapAmb"};
        uint64_t v;
        for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
            if (status_field(text, sets[s], 1, &v) < 0 || (v & ~allowed) != 0) {
                *bad_tid = tids[i];
                return -EPERM;
            }
        }
        if (status_field(text, "NoNewPrivs", 0, &v) < 0 || v != 1) {
            *bad_tid = tids[i];
            return -EPERM;
        }
    }
    return 0;
}

/*
 * Sets no_new_privs, clears the ambient set and drops every capability but `keep` (-1: none) from the bounding,
 * permitted, effective and inheritable sets of every thread of this process, then verifies it thread by thread.
 * `task_fd` is an open /proc/self/task directory (opened before the sandbox hid /proc). out[0] = threads reached,
 * out[1] = a thread that failed the check, out[2] = the step (1 signal set-up, 2 listing threads, 3 a thread did
 * not answer, 4 a thread's drop failed, 5 verification). Returns 0 or -errno.
 */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_dropCapabilities(JNIEnv *env, jclass c, jint keep, jint task_fd,
                                                                   jintArray out_arr) {
    jint out[3] = {0, 0, 0};
    int r = 0;
    pid_t *done = malloc(2 * MAX_THREADS * sizeof(pid_t));
    if (done == NULL) {
        return -ENOMEM;
    }
    pid_t *seen = done + MAX_THREADS;
    int ndone = 0;
    keep_cap = keep;
    first_error = 0;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = drop_handler;
    sa.sa_flags = SA_RESTART;
    sigfillset(&sa.sa_mask);
    if (sigaction(DROP_SIGNAL, NULL, &old) < 0
        || (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN && old.sa_handler != drop_handler)) {
        r = old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN ? -errno : -EBUSY;
        out[2] = 1;
        goto end;
    }
    /* the handler stays installed: a late duplicate of the signal then only repeats an idempotent drop */
    if (sigaction(DROP_SIGNAL, &sa, NULL) < 0) {
        r = -errno;
        out[2] = 1;
        goto end;
    }
    pid_t self = (pid_t) syscall(SYS_gettid);
    pid_t pid = getpid();
    for (;;) {
        int n = list_threads(task_fd, seen, MAX_THREADS);
        if (n < 0) {
            r = -errno;
            out[2] = 2;
            goto end;
        }
        /* this pass: every listed thread not reached in an earlier one */
        int count = 0;
        for (int i = 0; i < n && ndone < MAX_THREADS; i++) {
            if (!contains(done, ndone, seen[i])) {
                done[ndone++] = seen[i];
                if (seen[i] == self) {
                    note_error(drop_own_capabilities());
                } else {
                    pending[count] = seen[i];
                    pending_answered[count] = 0;
                    count++;
                }
            }
        }
        if (count == 0) {
            break; /* every thread has been reached; threads they make from now on inherit their state */
        }
        __atomic_store_n(&pending_count, count, __ATOMIC_SEQ_CST);
        for (int i = 0; i < count; i++) {
            if (syscall(SYS_tgkill, pid, pending[i], DROP_SIGNAL) < 0 && errno != ESRCH) {
                r = -errno;
                out[2] = 3;
                goto end;
            }
        }
        /* wait until each has answered or ended */
        struct timespec pause = {0, 1000000};
        for (int waited = 0;; waited++) {
            int open_count = 0;
            for (int i = 0; i < count; i++) {
                if (!__atomic_load_n(&pending_answered[i], __ATOMIC_SEQ_CST)
                    && !(syscall(SYS_tgkill, pid, pending[i], 0) < 0 && errno == ESRCH)) {
                    open_count++;
                }
            }
            if (open_count == 0) {
                break;
            }
            if (waited >= 5000) {
                r = -ETIMEDOUT;
                out[2] = 3;
                goto end;
            }
            nanosleep(&pause, NULL);
        }
        __atomic_store_n(&pending_count, 0, __ATOMIC_SEQ_CST);
        if (first_error != 0) {
            r = -first_error;
            out[2] = 4;
            goto end;
        }
    }
    out[0] = ndone;
    uint64_t allowed = keep >= 0 ? (1ULL << keep) : 0;
    int bad = 0;
    r = verify_threads(task_fd, allowed, done, &bad);
    if (r < 0) {
        out[1] = bad;
        out[2] = 5;
    }
end:
    free(done);
    (*env)->SetIntArrayRegion(env, out_arr, 0, 3, out);
    return r;
}

/* ---------------------------------------------------------------------------------------------------------------
 * The seccomp filter
 */

#if defined(__x86_64__)
#define FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FILTER_ARCH AUDIT_ARCH_AARCH64
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LOW offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LOW (offsetof(struct seccomp_data, args[0]) + 4)
#endif

#define ALLOW SECCOMP_RET_ALLOW
#define DENY (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define ABSENT (SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))

#ifdef FILTER_ARCH
/*
 * Denied with EPERM: what slirp4netns denies, and more of the same kind (nothing that can run another program,
 * trace or read another process, load kernel code, mount, change namespaces or root, or reach the kernel through
 * rarely needed interfaces). The helper needs none of these once serving.
 */
static const int denied[] = {
    __NR_execve, __NR_execveat, __NR_ptrace, __NR_process_vm_readv, __NR_process_vm_writev,
    __NR_kexec_load, __NR_kexec_file_load, __NR_init_module, __NR_finit_module, __NR_delete_module,
    __NR_mount, __NR_umount2, __NR_pivot_root, __NR_chroot, __NR_setns, __NR_unshare, __NR_reboot,
    __NR_open_by_handle_at, __NR_name_to_handle_at, __NR_pidfd_getfd, __NR_pidfd_open, __NR_pidfd_send_signal,
    __NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_fspick, __NR_move_mount, __NR_open_tree, __NR_mount_setattr,
    __NR_bpf, __NR_perf_event_open, __NR_userfaultfd, __NR_keyctl, __NR_add_key, __NR_request_key, __NR_acct,
    __NR_swapon, __NR_swapoff, __NR_syslog, __NR_quotactl, __NR_settimeofday, __NR_clock_settime,
    __NR_clock_adjtime, __NR_adjtimex, __NR_sethostname, __NR_setdomainname, __NR_kcmp, __NR_process_madvise,
#ifdef __NR_umount
    __NR_umount,
#endif
#ifdef __NR_lookup_dcookie
    __NR_lookup_dcookie,
#endif
#ifdef __NR_iopl
    __NR_iopl, __NR_ioperm,
#endif
#ifdef __NR_uselib
    __NR_uselib,
#endif
#ifdef __NR_quotactl_fd
    __NR_quotactl_fd,
#endif
};

/*
 * Answered ENOSYS, as if the kernel lacked them: glibc then falls back to clone(2) for threads (which the filter
 * checks), and libraries that probe io_uring use what they used before it.
 */
static const int absent[] = {
    __NR_clone3, __NR_io_uring_setup, __NR_io_uring_enter, __NR_io_uring_register,
};

/* prctl options allowed (anything else: EPERM): naming threads (glibc's pthread_setname_np, which HotSpot uses),
 * and reading state. */
static const int prctl_allowed[] = {
    PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE, PR_CAPBSET_READ, PR_GET_NO_NEW_PRIVS, PR_SET_NO_NEW_PRIVS,
    PR_GET_SECCOMP, PR_GET_TIMERSLACK, PR_GET_THP_DISABLE, PR_GET_KEEPCAPS,
    0x53564d41 /* PR_SET_VMA: naming anonymous memory, JDK 21+ */,
};

/* clone(2) may make threads and processes, not namespaces. */
#define CLONE_NAMESPACES (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER \
                          | CLONE_NEWPID | CLONE_NEWNET)

#define COUNT(a) ((int) (sizeof(a) / sizeof((a)[0])))
#define MAX_FILTER 256

struct program {
    struct sock_filter f[MAX_FILTER];
    int n;
};

static void emit(struct program *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) {
    if (p->n < MAX_FILTER) {
        p->f[p->n] = (struct sock_filter) BPF_JUMP(code, k, jt, jf);
    }
    p->n++;
}

/* "if nr == `nr` return `action`": two instructions. */
static void return_if(struct program *p, int nr, uint32_t action) {
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t) nr);
    emit(p, BPF_RET | BPF_K, 0, 0, action);
}

static int build_filter(struct program *p) {
    p->n = 0;
    /* a system call of another ABI (i386's int 0x80 on x86_64) has other numbers: kill rather than misjudge */
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, FILTER_ARCH);
    emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
    /* the x32 ABI shares the arch value and sets bit 30 of the number */
    emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, 0x40000000U);
    emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
#endif
    for (int i = 0; i < COUNT(denied); i++) {
        return_if(p, denied[i], DENY);
    }
    for (int i = 0; i < COUNT(absent); i++) {
        return_if(p, absent[i], ABSENT);
    }
    /* clone: look at the flags */
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 4, __NR_clone);
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG0_LOW);
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 1, CLONE_NAMESPACES);
    emit(p, BPF_RET | BPF_K, 0, 0, DENY);
    emit(p, BPF_RET | BPF_K, 0, 0, ALLOW);
    /* prctl: only the options listed */
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t) (2 * COUNT(prctl_allowed) + 2), __NR_prctl);
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG0_LOW);
    for (int i = 0; i < COUNT(prctl_allowed); i++) {
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t) prctl_allowed[i]);
        emit(p, BPF_RET | BPF_K, 0, 0, ALLOW);
    }
    emit(p, BPF_RET | BPF_K, 0, 0, DENY);
    emit(p, BPF_RET | BPF_K, 0, 0, ALLOW);
    return p->n <= MAX_FILTER ? 0 : -E2BIG;
}
#endif

/*
 * Installs the filter on every thread (SECCOMP_FILTER_FLAG_TSYNC), setting no_new_privs first, which the kernel
 * then also sets on every thread. Returns 0, or -errno; out[0] = the number of instructions, out[1] = a thread that
 * could not be synchronised (TSYNC's positive result).
 */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_installSeccomp(JNIEnv *env, jclass c, jintArray out_arr) {
    jint out[2] = {0, 0};
    int r = 0;
#ifndef FILTER_ARCH
    r = -ENOSYS;
#else
    static struct program prog;
    r = build_filter(&prog);
    out[0] = prog.n;
    if (r == 0) {
        struct sock_fprog fprog = {.len = (unsigned short) prog.n, .filter = prog.f};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
            r = -errno;
        } else {
            long t = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog);
            if (t < 0) {
                r = -errno;
            } else if (t > 0) {
                out[1] = (jint) t;
                r = -EAGAIN;
            }
        }
    }
#endif
    (*env)->SetIntArrayRegion(env, out_arr, 0, 2, out);
    return r;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Probes: what a test asks the confined helper to try (SLIRP4J_TEST_CONFINEMENT_PROBE). Each makes one harmless
 * call that the sandbox or the filter must refuse, and returns its result or -errno, so that the same probe tells
 * a confined helper (EPERM, ENOSYS, ENOENT) from an unconfined one (another errno, or success). None can change
 * the process if it succeeds: execve and chroot name a path that does not exist, unshare is asked for nothing.
 */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_probe(JNIEnv *env, jclass c, jint which, jstring arg) {
    const char *a = arg == NULL ? NULL : (*env)->GetStringUTFChars(env, arg, NULL);
    long r;
    switch (which) {
    case 0: { /* open a file for reading */
        r = a == NULL ? -1 : open(a, O_RDONLY | O_CLOEXEC);
        if (r >= 0) {
            close((int) r);
        }
        break;
    }
    case 1: {
        char *const argv[] = {"probe", NULL};
        r = execve("/nonexistent/slirp4j-probe", argv, argv + 1);
        break;
    }
    case 2:
        r = mount("none", "/nonexistent/slirp4j-probe", "tmpfs", 0, NULL);
        break;
    case 3:
        r = syscall(SYS_ptrace, PTRACE_PEEKDATA_PROBE, (long) getppid(), 0L, 0L);
        break;
    case 4:
        r = unshare(0);
        break;
    case 5:
        r = setns(-1, 0);
        break;
    case 6:
        r = syscall(__NR_clone3, NULL, 0L);
        break;
    case 7:
        r = chroot("/nonexistent/slirp4j-probe");
        break;
    case 8: {
        r = syscall(__NR_pidfd_open, (long) getpid(), 0L);
        if (r >= 0) {
            close((int) r);
        }
        break;
    }
    case 9: {
        int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
        r = dumpable < 0 ? dumpable : prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
        break;
    }
    case 10: {
        char name[16] = {0};
        r = prctl(PR_GET_NAME, name, 0, 0, 0);
        if (r == 0) {
            r = prctl(PR_SET_NAME, name, 0, 0, 0);
        }
        break;
    }
    case 11:
        r = syscall(__NR_process_vm_readv, 0L, NULL, 0L, NULL, 0L, 0L);
        break;
    default:
        errno = EINVAL;
        r = -1;
    }
    int result = r < 0 ? -errno : (int) r;
    if (a != NULL) {
        (*env)->ReleaseStringUTFChars(env, arg, a);
    }
    return result;
}
