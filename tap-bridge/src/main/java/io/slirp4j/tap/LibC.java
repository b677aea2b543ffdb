package io.slirp4j.tap;

/** Linux x86-64/aarch64 values of the libc constants the calls in {@link Native} take. */
final class LibC {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int O_DIRECTORY = 0x10000;
    static final int O_PATH = 0x200000;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int CLONE_NEWNET = 0x40000000;
    static final int CLONE_NEWUSER = 0x10000000;
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_UDP = 17;
    static final int IPPROTO_ICMPV6 = 58;
    static final int EACCES = 13;
    static final int EPERM = 1;
    static final int EAFNOSUPPORT = 97;
    static final int EPROTONOSUPPORT = 93;
    static final int EMSGSIZE = 90;
    static final int ENETUNREACH = 101;
    static final int EHOSTUNREACH = 113;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EINVAL = 22;
    static final int ENODEV = 19;

    private LibC() {}
}
