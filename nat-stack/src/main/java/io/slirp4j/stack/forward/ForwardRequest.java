package io.slirp4j.stack.forward;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A port forward to create: host {@code hostAddress:hostPort} (IPv4 or IPv6; port 0 picks a free port) to guest
 * {@code guestAddress:guestPort} (IPv4, as an int in network order, inside the virtual network). Defaults (the
 * API's empty strings) are already resolved: a wildcard host address is {@code 0.0.0.0} or {@code ::}.
 */
public record ForwardRequest(ForwardProtocol protocol, InetAddress hostAddress, int hostPort, int guestAddress,
    int guestPort) {
    public ForwardRequest {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(hostAddress, "hostAddress");
        if (hostPort < 0 || hostPort > 65535) {
            throw new IllegalArgumentException("host port " + hostPort);
        }
        if (guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("guest port " + guestPort);
        }
    }
}
