/*
 * libslirp4j: the few Linux system calls that neither the JDK nor Netty offer (setns, ioctl on tun devices and
 * interface sockets, poll on an inherited fd, execve), bound with JNI for io.slirp4j.tap.Native.
 *
 * Why JNI and not jnr-ffi: loading jnr-ffi and binding its interface cost 120-160 ms of every start on these
 * machines (reflective binding; its ASM binding is slower still), more than the rest of the path to tap0; this
 * library loads in well under 1 ms. Every function is a thin wrapper: it returns the call's result, or -errno on
 * failure, and leaves every decision to the Java side. Nothing here allocates on the Java heap except strerror's
 * string.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_closeRange(JNIEnv *env, jclass c, jint first, jint last,
                                                             jint flags) {
    int r = (int) syscall(SYS_close_range, (unsigned) first, (unsigned) last, (unsigned) flags);
    return RESULT(r);
}

static char **strings(JNIEnv *env, jobjectArray array) {
    jsize n = (*env)->GetArrayLength(env, array);
    char **out = calloc((size_t) n + 1, sizeof(char *));
    if (out == NULL) {
        return NULL;
    }
    for (jsize i = 0; i < n; i++) {
        jstring s = (jstring) (*env)->GetObjectArrayElement(env, array, i);
        const char *u = utf(env, s);
        out[i] = u == NULL ? NULL : strdup(u);
        release(env, s, u);
        if (out[i] == NULL) {
            return NULL;
        }
    }
    return out;
}

/* Returns only on failure, with -errno. */
JNIEXPORT jint JNICALL Java_io_slirp4j_tap_Native_execve(JNIEnv *env, jclass c, jstring path, jobjectArray argv,
                                                         jobjectArray envp) {
    const char *p = utf(env, path);
    char **a = strings(env, argv);
    char **e = strings(env, envp);
    if (p == NULL || a == NULL || e == NULL) {
        return -ENOMEM;
    }
    execve(p, a, e);
    return -errno;
}

JNIEXPORT jstring JNICALL Java_io_slirp4j_tap_Native_strerror(JNIEnv *env, jclass c, jint errnum) {
    char buf[128];
    const char *s = strerror_r(errnum, buf, sizeof(buf));
    return (*env)->NewStringUTF(env, s);
}

