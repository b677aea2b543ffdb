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
#include <linux/errqueue.h>
#include <linux/netlink.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
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

JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_dup2(JNIEnv *env, jclass c, jint from, jint to) {
    int r = dup2(from, to);
    return RESULT(r);
}

/* A pidfd (close-on-exec) that polls readable once the process has exited; kernel >= 5.3. */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_pidfdOpen(JNIEnv *env, jclass c, jint pid) {
    int r = (int) syscall(SYS_pidfd_open, (pid_t) pid, 0);
    return RESULT(r);
}

JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_setns(JNIEnv *env, jclass c, jint fd, jint nstype) {
    int r = setns(fd, nstype);
    return RESULT(r);
}

/* The soft RLIMIT_NOFILE (Long.MAX_VALUE when unlimited), or -errno. */
JNIEXPORT jlong JNICALL Java_io_slirp4j_tap_Native_openFilesLimit(JNIEnv *env, jclass c) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        return -errno;
    }
    return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t) INT64_MAX ? INT64_MAX : (jlong) rl.rlim_cur;
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

/* ioctl whose argument is a value, not a pointer (TUNSETOFFLOAD). */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_ioctlValue(JNIEnv *env, jclass c, jint fd, jlong request,
                                                             jlong value) {
    int r = ioctl(fd, (unsigned long) request, (unsigned long) value);
    return RESULT(r);
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

/* A listening unix socket of type (SOCK_STREAM, SOCK_SEQPACKET) at path, non-blocking and close-on-exec, or -errno. */
static jint listen_unix(JNIEnv *env, jstring path, int type, int backlog) {
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
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
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

/* A listening unix stream socket at path (non-blocking, close-on-exec), or -errno. */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_listenUnix(JNIEnv *env, jclass c, jstring path, jint backlog) {
    return listen_unix(env, path, SOCK_STREAM, backlog);
}

/*
 * ICMP echo to the outside (io.slirp4j.tap.EchoSockets). Addresses cross as 4 or 16 bytes, network order; buffers
 * as direct ByteBuffers with an offset, so nothing is copied through the JVM heap.
 */

/* Fills a sockaddr_in/_in6 from 4 or 16 bytes and a port; returns its length, or 0 for a bad address. */
static socklen_t to_sockaddr(JNIEnv *env, jbyteArray address, int port, struct sockaddr_storage *out) {
    memset(out, 0, sizeof(*out));
    jsize len = (*env)->GetArrayLength(env, address);
    if (len == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *) out;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t) port);
        (*env)->GetByteArrayRegion(env, address, 0, 4, (jbyte *) &sin->sin_addr);
        return sizeof(*sin);
    }
    if (len == 16) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) out;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t) port);
        (*env)->GetByteArrayRegion(env, address, 0, 16, (jbyte *) &sin6->sin6_addr);
        return sizeof(*sin6);
    }
    return 0;
}

/* Copies the address of a sockaddr into out (16 bytes): returns 4 or 16, or 0 if it is neither family. */
static int from_sockaddr(JNIEnv *env, const struct sockaddr *sa, jbyteArray out) {
    if (sa->sa_family == AF_INET) {
        (*env)->SetByteArrayRegion(env, out, 0, 4, (const jbyte *) &((const struct sockaddr_in *) sa)->sin_addr);
        return 4;
    }
    if (sa->sa_family == AF_INET6) {
        (*env)->SetByteArrayRegion(env, out, 0, 16, (const jbyte *) &((const struct sockaddr_in6 *) sa)->sin6_addr);
        return 16;
    }
    return 0;
}

/*
 * A non-blocking, close-on-exec socket of family 4 or 6 and the given type and protocol, bound to bind_address
 * (port 0) unless that is null. Datagram sockets (ping sockets, UDP) get IP_RECVERR / IPV6_RECVERR, so that ICMP
 * errors about what they sent come back on their error queue; raw ICMP sockets (which see the errors themselves)
 * get a filter that lets through only echo replies and the errors an echo request can cause. Returns the fd or
 * -errno.
 */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_echoSocket(JNIEnv *env, jclass c, jint family, jint type,
                                                             jint protocol, jbyteArray bind_address) {
    int af = family == 6 ? AF_INET6 : AF_INET;
    int fd = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0) {
        return -errno;
    }
    int one = 1;
    int r = 0;
    if (type != SOCK_RAW) {
        r = af == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one))
                          : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
    } else if (af == AF_INET) {
        /* ICMP_FILTER: a set bit blocks that type */
        struct icmp_filter filter = {
            .data = ~((1U << ICMP_ECHOREPLY) | (1U << ICMP_DEST_UNREACH) | (1U << ICMP_TIME_EXCEEDED)
                      | (1U << ICMP_PARAMETERPROB))};
        r = setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter));
    } else {
        struct icmp6_filter filter;
        ICMP6_FILTER_SETBLOCKALL(&filter);
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &filter);
        r = setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
    }
    if (r == 0 && bind_address != NULL) {
        struct sockaddr_storage sa;
        socklen_t len = to_sockaddr(env, bind_address, 0, &sa);
        if (len == 0 || sa.ss_family != af) {
            close(fd);
            return -EAFNOSUPPORT;
        }
        r = bind(fd, (struct sockaddr *) &sa, len);
    }
    if (r < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* IP_TTL (family 4) or IPV6_UNICAST_HOPS (family 6). */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_setTtl(JNIEnv *env, jclass c, jint fd, jint family, jint ttl) {
    int v = ttl;
    int r = family == 6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v))
                        : setsockopt(fd, IPPROTO_IP, IP_TTL, &v, sizeof(v));
    return RESULT(r);
}

/* sendto(2) of length bytes of buf from offset to address:port; bytes sent or -errno. */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_sendTo(JNIEnv *env, jclass c, jint fd, jobject buf, jint offset,
                                                         jint length, jbyteArray address, jint port) {
    char *base = (*env)->GetDirectBufferAddress(env, buf);
    struct sockaddr_storage sa;
    socklen_t len = to_sockaddr(env, address, port, &sa);
    if (base == NULL || len == 0) {
        return -EINVAL;
    }
    ssize_t n = sendto(fd, base + offset, (size_t) length, 0, (struct sockaddr *) &sa, len);
    return n < 0 ? -errno : (jint) n;
}

/* recvfrom(2) into buf at offset: the length received (the datagram's, if truncated: MSG_TRUNC) or -errno; the
 * sender's address goes to from (16 bytes), its length (4 or 16) to from_length[0]. */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_recvFrom(JNIEnv *env, jclass c, jint fd, jobject buf, jint offset,
                                                           jint length, jbyteArray from, jintArray from_length) {
    char *base = (*env)->GetDirectBufferAddress(env, buf);
    if (base == NULL) {
        return -EINVAL;
    }
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    ssize_t n = recvfrom(fd, base + offset, (size_t) length, MSG_TRUNC, (struct sockaddr *) &sa, &salen);
    if (n < 0) {
        return -errno;
    }
    jint flen = from_sockaddr(env, (struct sockaddr *) &sa, from);
    (*env)->SetIntArrayRegion(env, from_length, 0, 1, &flen);
    return (jint) n;
}

/*
 * One report from the socket's error queue (recvmsg MSG_ERRQUEUE): the payload (the start of what we sent, as the
 * ICMP error quoted it) into buf at offset; returns its length or -errno (-EAGAIN when the queue is empty).
 * info[0..5] = ee_errno, ee_origin, ee_type, ee_code, ee_info, length of the offender's address (0: none) in
 * offender; destination (16 bytes) receives the address the erring datagram was sent to, info[6] its length.
 */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_recvError(JNIEnv *env, jclass c, jint fd, jobject buf,
                                                            jint offset, jint length, jintArray info,
                                                            jbyteArray offender, jbyteArray destination) {
    char *base = (*env)->GetDirectBufferAddress(env, buf);
    if (base == NULL) {
        return -EINVAL;
    }
    struct sockaddr_storage dest;
    memset(&dest, 0, sizeof(dest));
    char control[512];
    struct iovec iov = {.iov_base = base + offset, .iov_len = (size_t) length};
    struct msghdr msg = {.msg_name = &dest, .msg_namelen = sizeof(dest), .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = control, .msg_controllen = sizeof(control)};
    ssize_t n = recvmsg(fd, &msg, MSG_ERRQUEUE);
    if (n < 0) {
        return -errno;
    }
    jint out[7] = {0, 0, 0, 0, 0, 0, 0};
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if ((cmsg->cmsg_level == IPPROTO_IP && cmsg->cmsg_type == IP_RECVERR)
            || (cmsg->cmsg_level == IPPROTO_IPV6 && cmsg->cmsg_type == IPV6_RECVERR)) {
            struct sock_extended_err *ee = (struct sock_extended_err *) CMSG_DATA(cmsg);
            out[0] = (jint) ee->ee_errno;
            out[1] = ee->ee_origin;
            out[2] = ee->ee_type;
            out[3] = ee->ee_code;
            out[4] = (jint) ee->ee_info;
            struct sockaddr *off = SO_EE_OFFENDER(ee);
            out[5] = off->sa_family == AF_UNSPEC ? 0 : from_sockaddr(env, off, offender);
        }
    }
    if (msg.msg_namelen > 0) {
        out[6] = from_sockaddr(env, (struct sockaddr *) &dest, destination);
    }
    (*env)->SetIntArrayRegion(env, info, 0, 7, out);
    return (jint) n;
}

/*
 * A listening unix SOCK_SEQPACKET socket at path (non-blocking, close-on-exec), or -errno: the BESS server end,
 * where one peer (User Mode Linux's vector transport "bess") connects and every message is one Ethernet frame.
 */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_listenSeqpacket(JNIEnv *env, jclass c, jstring path) {
    return listen_unix(env, path, SOCK_SEQPACKET, 1);
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
    int fds[3] = {-1, -1, -1};
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
        /* rtnetlink of the target, for what ioctls cannot say (an IPv6 address without duplicate detection) */
        if ((fds[nfds] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0) {
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
    jint result[4] = {-1, -1, 0, -1};
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
    int fds[3] = {-1, -1, -1};
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
        memcpy(fds, CMSG_DATA(cmsg), (count > 3 ? 3 : count) * sizeof(int));
    }
    if (report.step != 0) {
        result[2] = report.step;
        r = -report.err;
    } else if (fds[0] < 0 || (with_socket && (fds[1] < 0 || fds[2] < 0))) {
        r = -EPROTO;
        for (int i = 0; i < 3; i++) {
            if (fds[i] >= 0) {
                close(fds[i]);
            }
        }
    } else {
        result[0] = fds[0];
        result[1] = fds[1];
        result[3] = fds[2];
    }
done:
    release(env, userns, u);
    release(env, netns, n);
    (*env)->SetIntArrayRegion(env, out, 0, 4, result);
    return r;
}
