/*
 * libslirp4j: the few Linux system calls that neither the JDK nor Netty offer (setns, ioctl on tun devices and
 * interface sockets, poll on an inherited fd), bound with JNI for io.slirp4j.tap.Native.
 *
 * Why JNI and not jnr-ffi: loading jnr-ffi and binding its interface cost 120-160 ms of every start on these
 * machines (reflective binding; its ASM binding is slower still), more than the rest of the path to tap0; this
 * library loads in well under 1 ms. Every function is a thin wrapper: it returns the call's result, or -errno on
 * failure, and leaves every decision to the Java side. Two do a little more, because Java cannot:
 * openInNamespaces forks a child that enters the target's namespaces (a JVM is multi-threaded, so it can never
 * join a user namespace itself), and listenUnix binds the API socket before any event loop exists.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <jni.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define RESULT(r) ((r) < 0 ? -errno : (r))

static const char *utf(JNIEnv *env, jstring s) {
    return s == NULL ? NULL : (*env)->GetStringUTFChars(env, s, NULL);
}

static void release(JNIEnv *env, jstring s, const char *c) {
    if (c != NULL) {
        (*env)->ReleaseStringUTFChars(env, s, c);
    }
}

JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_open(JNIEnv *env, jclass c, jstring path, jint flags) {
    const char *p = utf(env, path);
    if (p == NULL) {
        return -ENOMEM;
    }
    int r = open(p, flags);
    r = RESULT(r);
    release(env, path, p);
    return r;
}

JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_close(JNIEnv *env, jclass c, jint fd) {
    int r = close(fd);
    return RESULT(r);
}

JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_fcntl(JNIEnv *env, jclass c, jint fd, jint cmd, jint arg) {
    int r = fcntl(fd, cmd, arg);
    return RESULT(r);
}

JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_setns(JNIEnv *env, jclass c, jint fd, jint nstype) {
    int r = setns(fd, nstype);
    return RESULT(r);
}

JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_socket(JNIEnv *env, jclass c, jint domain, jint type, jint proto) {
    int r = socket(domain, type, proto);
    return RESULT(r);
}

/* ioctl with a struct passed in and out as bytes (struct ifreq), or with no argument when arg is null. */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_ioctl(JNIEnv *env, jclass c, jint fd, jlong request,
                                                        jbyteArray arg) {
    if (arg == NULL) {
        int r = ioctl(fd, (unsigned long) request, NULL);
        return RESULT(r);
    }
    jsize len = (*env)->GetArrayLength(env, arg);
    char buf[256];
    if (len > (jsize) sizeof(buf)) {
        return -EINVAL;
    }
    (*env)->GetByteArrayRegion(env, arg, 0, len, (jbyte *) buf);
    int r = ioctl(fd, (unsigned long) request, buf);
    r = RESULT(r);
    (*env)->SetByteArrayRegion(env, arg, 0, len, (jbyte *) buf);
    return r;
}

/* SIOCADDRT for a default route via gateway (network order) on dev: struct rtentry holds a pointer to the name. */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_addDefaultRoute(JNIEnv *env, jclass c, jint sock, jstring dev,
                                                                  jint gateway) {
    const char *name = utf(env, dev);
    if (name == NULL) {
        return -ENOMEM;
    }
    char devname[IFNAMSIZ];
    strncpy(devname, name, sizeof(devname) - 1);
    devname[sizeof(devname) - 1] = 0;
    release(env, dev, name);
    struct rtentry route;
    memset(&route, 0, sizeof(route));
    struct sockaddr_in *dst = (struct sockaddr_in *) &route.rt_dst;
    struct sockaddr_in *gw = (struct sockaddr_in *) &route.rt_gateway;
    struct sockaddr_in *mask = (struct sockaddr_in *) &route.rt_genmask;
    dst->sin_family = gw->sin_family = mask->sin_family = AF_INET;
    gw->sin_addr.s_addr = htonl((uint32_t) gateway);
    route.rt_flags = RTF_UP | RTF_GATEWAY;
    route.rt_dev = devname;
    int r = ioctl(sock, SIOCADDRT, &route);
    return RESULT(r);
}

/* poll(2) on one fd: its revents, 0 on time-out, or -errno. */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_poll(JNIEnv *env, jclass c, jint fd, jint events, jint timeout) {
    struct pollfd p = {.fd = fd, .events = (short) events};
    int r = poll(&p, 1, timeout);
    return r < 0 ? -errno : (r == 0 ? 0 : (p.revents & 0xffff));
}

JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_read(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint off,
                                                       jint len) {
    char tmp[4096];
    if (len > (jint) sizeof(tmp)) {
        len = sizeof(tmp);
    }
    ssize_t n = read(fd, tmp, (size_t) len);
    if (n < 0) {
        return -errno;
    }
    (*env)->SetByteArrayRegion(env, buf, off, (jsize) n, (jbyte *) tmp);
    return (jint) n;
}

JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_write(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint off,
                                                        jint len) {
    char tmp[4096];
    if (len > (jint) sizeof(tmp)) {
        len = sizeof(tmp);
    }
    (*env)->GetByteArrayRegion(env, buf, off, len, (jbyte *) tmp);
    ssize_t n = write(fd, tmp, (size_t) len);
    return n < 0 ? -errno : (jint) n;
}

JNIEXPORT jstring JNICALL Java_io_slirp4j_tap_Native_strerror(JNIEnv *env, jclass c, jint errnum) {
    char buf[128];
    const char *s = strerror_r(errnum, buf, sizeof(buf));
    return (*env)->NewStringUTF(env, s);
}

/* A listening unix stream socket at path (non-blocking, close-on-exec), or -errno. */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_listenUnix(JNIEnv *env, jclass c, jstring path, jint backlog) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    const char *p = utf(env, path);
    if (p == NULL) {
        return -ENOMEM;
    }
    size_t len = strlen(p);
    if (len >= sizeof(addr.sun_path)) {
        release(env, path, p);
        return -ENAMETOOLONG;
    }
    memcpy(addr.sun_path, p, len + 1);
    release(env, path, p);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return -errno;
    }
    if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(fd, backlog) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/*
 * A listening unix SOCK_SEQPACKET socket at path (non-blocking, close-on-exec), or -errno: the BESS server end,
 * where one peer (User Mode Linux's vector transport "bess") connects and every message is one Ethernet frame.
 */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_listenSeqpacket(JNIEnv *env, jclass c, jstring path) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    const char *p = utf(env, path);
    if (p == NULL) {
        return -ENOMEM;
    }
    size_t len = strlen(p);
    if (len >= sizeof(addr.sun_path)) {
        release(env, path, p);
        return -ENAMETOOLONG;
    }
    memcpy(addr.sun_path, p, len + 1);
    release(env, path, p);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return -errno;
    }
    if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(fd, 1) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* accept4(2) of one connection, non-blocking and close-on-exec: its fd, or -errno (-EAGAIN: none waiting). */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_accept(JNIEnv *env, jclass c, jint fd) {
    int r = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    return RESULT(r);
}

/* if_nametoindex(3): the interface's index, or -errno (ENODEV when there is no such interface). */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_ifNameToIndex(JNIEnv *env, jclass c, jstring name) {
    const char *n = utf(env, name);
    if (n == NULL) {
        return -ENOMEM;
    }
    unsigned int index = if_nametoindex(n);
    int e = errno;
    release(env, name, n);
    return index == 0 ? -(e != 0 ? e : ENODEV) : (jint) index;
}

/*
 * The addresses of family (AF_INET or AF_INET6) on the interface called name, in getifaddrs(3) order (the
 * primary address first), concatenated: 4 or 16 bytes each. An empty array if it has none; null if getifaddrs
 * failed (errno in out[0] as -errno).
 */
JNIEXPORT jbyteArray JNICALL Java_io_slirp4j_tap_Native_interfaceAddresses(JNIEnv *env, jclass c, jstring name,
                                                                           jint family, jintArray out) {
    const char *n = utf(env, name);
    if (n == NULL) {
        return NULL;
    }
    struct ifaddrs *all;
    if (getifaddrs(&all) < 0) {
        jint e = -errno;
        release(env, name, n);
        (*env)->SetIntArrayRegion(env, out, 0, 1, &e);
        return NULL;
    }
    size_t size = family == AF_INET6 ? 16 : 4;
    size_t count = 0;
    for (struct ifaddrs *i = all; i != NULL; i = i->ifa_next) {
        if (i->ifa_addr != NULL && i->ifa_addr->sa_family == family && strcmp(i->ifa_name, n) == 0) {
            count++;
        }
    }
    jbyteArray result = (*env)->NewByteArray(env, (jsize) (count * size));
    size_t at = 0;
    for (struct ifaddrs *i = all; result != NULL && i != NULL; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family || strcmp(i->ifa_name, n) != 0) {
            continue;
        }
        const void *bytes = family == AF_INET6 ? (const void *) &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr
                                               : (const void *) &((struct sockaddr_in *) i->ifa_addr)->sin_addr;
        (*env)->SetByteArrayRegion(env, result, (jsize) at, (jsize) size, (const jbyte *) bytes);
        at += size;
    }
    freeifaddrs(all);
    release(env, name, n);
    return result;
}

/* What the namespace child reports: the step that failed (0 for none) and its errno; fds ride along on success. */
struct child_report {
    int step;
    int err;
};

enum { STEP_OPEN_USERNS = 1, STEP_SETNS_USER, STEP_OPEN_NETNS, STEP_SETNS_NET, STEP_OPEN_TUN, STEP_SOCKET };

/* setns into the namespace at path; on failure records the step (open_step, or the setns after it) and returns -1. */
static int join(const char *path, int nstype, int open_step, struct child_report *report) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        report->step = open_step;
        return -1;
    }
    if (setns(fd, nstype) < 0) {
        report->step = open_step + 1;
        return -1;
    }
    close(fd);
    return 0;
}

/*
 * Runs in the forked child, which has one thread, so it may join a user namespace. Only system calls here: the
 * parent's other threads may have held locks (malloc's among them) at the fork.
 */
static void namespace_child(int report_fd, const char *userns, const char *netns, int with_socket) {
    struct child_report report = {0, 0};
    int fds[2] = {-1, -1};
    int nfds = 0;
    if ((userns != NULL && join(userns, CLONE_NEWUSER, STEP_OPEN_USERNS, &report) < 0)
        || join(netns, CLONE_NEWNET, STEP_OPEN_NETNS, &report) < 0) {
        goto send;
    }
    if ((fds[nfds] = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK)) < 0) {
        report.step = STEP_OPEN_TUN;
        goto send;
    }
    nfds++;
    if (with_socket) {
        if ((fds[nfds] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
            report.step = STEP_SOCKET;
            goto send;
        }
        nfds++;
    }
send:
    if (report.step != 0) {
        report.err = errno;
        nfds = 0;
    }
    char control[CMSG_SPACE(sizeof(fds))];
    memset(control, 0, sizeof(control));
    struct iovec iov = {.iov_base = &report, .iov_len = sizeof(report)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds > 0) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
    }
    _exit(sendmsg(report_fd, &msg, MSG_NOSIGNAL) < 0 ? 1 : 0);
}

/*
 * Opens /dev/net/tun (and, with_socket, an AF_INET datagram socket for interface ioctls) inside the network
 * namespace netns, first joining the user namespace userns unless it is null, from a forked child that passes the
 * descriptors back over a socket pair and exits. The descriptors stay bound to the target netns; the owner of its
 * user namespace may then use them from here (TUNSETIFF, SIOCSIF*, SIOCADDRT check CAP_NET_ADMIN in the netns's
 * user namespace, not the caller's).
 * out[0] = tun fd, out[1] = socket fd or -1, out[2] = the step that failed. Returns 0 or -errno.
 */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_openInNamespaces(JNIEnv *env, jclass c, jstring userns,
                                                                   jstring netns, jboolean with_socket,
                                                                   jintArray out) {
    jint result[3] = {-1, -1, 0};
    const char *u = utf(env, userns);
    const char *n = utf(env, netns);
    int r = 0;
    int pair[2];
    if (n == NULL || (userns != NULL && u == NULL)) {
        r = -ENOMEM;
        goto done;
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
        r = -errno;
        goto done;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(pair[0]);
        namespace_child(pair[1], u, n, with_socket);
    }
    int fork_errno = errno;
    close(pair[1]);
    if (pid < 0) {
        close(pair[0]);
        r = -fork_errno;
        goto done;
    }
    struct child_report report = {0, 0};
    int fds[2] = {-1, -1};
    char control[CMSG_SPACE(sizeof(fds))];
    struct iovec iov = {.iov_base = &report, .iov_len = sizeof(report)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                         .msg_controllen = sizeof(control)};
    ssize_t got;
    do {
        got = recvmsg(pair[0], &msg, MSG_CMSG_CLOEXEC);
    } while (got < 0 && errno == EINTR);
    int recv_errno = errno;
    close(pair[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got != (ssize_t) sizeof(report)) {
        r = got < 0 ? -recv_errno : -EPIPE;
        goto done;
    }
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg != NULL && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
        size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        memcpy(fds, CMSG_DATA(cmsg), (count > 2 ? 2 : count) * sizeof(int));
    }
    if (report.step != 0) {
        result[2] = report.step;
        r = -report.err;
    } else if (fds[0] < 0 || (with_socket && fds[1] < 0)) {
        r = -EPROTO;
        for (int i = 0; i < 2; i++) {
            if (fds[i] >= 0) {
                close(fds[i]);
            }
        }
    } else {
        result[0] = fds[0];
        result[1] = fds[1];
    }
done:
    release(env, userns, u);
    release(env, netns, n);
    (*env)->SetIntArrayRegion(env, out, 0, 3, result);
    return r;
}
