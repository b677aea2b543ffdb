package io.slirp4j.stack.forward;

import java.net.InetAddress;

/**
 * A port forward that exists: as requested, with its id (from 1, never reused) and the host port actually bound
 * (the one the kernel picked when 0 was asked for).
 */
public record Forward(int id, ForwardProtocol protocol, InetAddress hostAddress, int hostPort, int guestAddress,
    int guestPort) {
}
