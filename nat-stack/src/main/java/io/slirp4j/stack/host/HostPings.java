package io.slirp4j.stack.host;

import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;

/**
 * Opens host sockets for ICMP echo (the guest's pings of outside addresses): in the program, unprivileged ping
 * sockets ({@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}, or {@code AF_INET6, IPPROTO_ICMPV6}) registered in
 * the stack's event loop, with the fallbacks slirp4netns has when the kernel refuses those; fakes in tests. Called
 * only on the stack's event loop; the receiver is also called only there.
 *
 * <p>What a socket promises, whatever it is underneath: it sends echo requests with an identifier of its own (the
 * kernel's choice for a ping socket) and the sequence number and data given, and hands its receiver the echo replies
 * to its identifier, and the ICMP errors about its requests, by sequence number. Mapping the identifier back to the
 * guest's is the caller's business.
 */
public interface HostPings {
    /**
     * Opens an echo socket.
     *
     * @param family      {@link StandardProtocolFamily#INET} (ICMP) or {@link StandardProtocolFamily#INET6} (ICMPv6)
     * @param bindAddress the local address to send from (e.g. {@code --outbound-addr}), of that family; null for the
     *                    system's choice
     * @throws IOException when no socket can be had (e.g. out of fds)
     */
    HostPingSocket open(StandardProtocolFamily family, InetAddress bindAddress, PingReceiver receiver)
        throws IOException;
}
