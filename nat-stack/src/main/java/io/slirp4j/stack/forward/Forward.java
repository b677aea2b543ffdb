package io.slirp4j.stack.forward;

import io.slirp4j.stack.nat.IpAddress;
import java.net.InetAddress;

/**
 * A port forward that exists: as requested, with its id (from 1, never reused) and the host port actually bound
 * (the one the kernel picked when 0 was asked for).
 */
public record Forward(int id, ForwardProtocol protocol, InetAddress hostAddress, int hostPort, IpAddress guestAddress,
    int guestPort) {

    /** A forward to an IPv4 guest address (an int in network order). */
    public Forward(int id, ForwardProtocol protocol, InetAddress hostAddress, int hostPort, int guestAddress,
        int guestPort) {
        this(id, protocol, hostAddress, hostPort, IpAddress.of4(guestAddress), guestPort);
    }
}
