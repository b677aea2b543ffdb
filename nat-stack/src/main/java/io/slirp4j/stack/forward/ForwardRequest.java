package io.slirp4j.stack.forward;

import io.slirp4j.stack.nat.IpAddress;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A port forward to create: host {@code hostAddress:hostPort} (IPv4 or IPv6; port 0 picks a free port) to guest
 * {@code guestAddress:guestPort} (a guest address of the IPv4 network, or with IPv6 one in its prefix; the host side's
 * family is independent of it). Defaults (the API's empty strings) are already resolved: a wildcard host address is
 * {@code 0.0.0.0} or {@code ::}. {@code hostInterface} restricts the host socket to one interface (pasta's
 * {@code %IFACE}), or is null.
 */
public record ForwardRequest(ForwardProtocol protocol, InetAddress hostAddress, int hostPort, IpAddress guestAddress,
    int guestPort, String hostInterface) {
    public ForwardRequest {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(hostAddress, "hostAddress");
        Objects.requireNonNull(guestAddress, "guestAddress");
        if (hostPort < 0 || hostPort > 65535) {
            throw new IllegalArgumentException("host port " + hostPort);
        }
        if (guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("guest port " + guestPort);
        }
    }

    /** On any interface. */
    public ForwardRequest(ForwardProtocol protocol, InetAddress hostAddress, int hostPort, IpAddress guestAddress,
        int guestPort) {
        this(protocol, hostAddress, hostPort, guestAddress, guestPort, null);
    }

    /** A forward to an IPv4 guest address (an int in network order). */
    public ForwardRequest(ForwardProtocol protocol, InetAddress hostAddress, int hostPort, int guestAddress,
        int guestPort) {
        this(protocol, hostAddress, hostPort, IpAddress.of4(guestAddress), guestPort);
    }
}
