package io.netty.channel.epoll;

/**
 * slirp4j's one addition to Netty's epoll package: a server channel for a unix socket that is already bound and
 * listening, made active as Netty's own {@code EpollServerSocketChannel(int fd)} makes a TCP one.
 *
 * <p>Why: the helper binds its API socket before the event loop exists, so that it is there as soon as the tap is
 * (scripts wait for tap0 and then connect). Netty's public {@code EpollServerDomainSocketChannel(int fd)} marks the
 * channel inactive, so registering it would never start accepting, and binding it again fails; the package-private
 * constructor used here derives "active" from the socket itself. Lives in Netty's package because that constructor
 * is package-private; Netty is pinned (pom.xml), and a change there breaks this build, not a running helper.
 */
public final class ListeningDomainSockets {
    private ListeningDomainSockets() {}

    /** A server channel owning {@code fd}, a listening AF_UNIX stream socket, ready to be registered. */
    public static EpollServerDomainSocketChannel adopt(int fd) {
        return new EpollServerDomainSocketChannel(new LinuxSocket(fd));
    }
}
