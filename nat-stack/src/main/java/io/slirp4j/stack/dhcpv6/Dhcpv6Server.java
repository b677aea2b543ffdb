package io.slirp4j.stack.dhcpv6;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.HostMirror6;
import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.stats.Dhcpv6Counters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.wire.Dhcpv6Message;
import io.slirp4j.stack.wire.Ipv6Address;
import io.slirp4j.stack.wire.Ipv6Packet;
import io.slirp4j.stack.wire.ParseResult;
import io.slirp4j.stack.wire.UdpDatagram;

/**
 * A stateless DHCPv6 server (RFC 8415 6.1, formerly RFC 3736) for the guest, as libslirp's {@code src/dhcpv6.c}:
 * the guest's address comes from SLAAC on the router advertisement's prefix, and DHCPv6 only tells it the DNS server.
 *
 * <p>Theory of operation: the UDP input hands over datagrams to port {@value Dhcpv6Message#SERVER_PORT} sent to
 * all-DHCP-agents ff02::1:2, or unicast to the gateway P::2 or the router fe80::2 (libslirp accepts its host
 * address too), from one of the guest's addresses (in practice its link-local one) and any port. An
 * Information-Request is answered with a Reply from fe80::2 port 547 (or from the unicast address it was sent to)
 * to the client's address and port, with the same transaction id and:
 * <ul>
 *   <li>a Server Identifier, the DUID-LL of the router's MAC 52:56:00:00:00:02 (RFC 8415 18.3.6 requires it;
 *       libslirp sends none, which some clients reject);</li>
 *   <li>the client's Client Identifier, copied, when it sent one (as libslirp);</li>
 *   <li>DNS Recursive Name Server (RFC 3646) P::3, the DNS forwarder, when the Option Request option lists it and
 *       DNS is enabled (libslirp: when listed; it has no notion of DNS being off here). No Domain Search List, and no
 *       Boot File URL (libslirp offers a TFTP URL that slirp4netns never configures).</li>
 * </ul>
 * An Information-Request carrying an IA option or another server's identifier is discarded (RFC 8415 16.12; libslirp
 * checks only for an IA Address at the top level). Solicit and the other stateful messages are ignored and counted,
 * as libslirp ignores them: a client that insists on a stateful address retransmits, and SLAAC configures the guest
 * anyway (the router advertisement's M flag is off and its O flag on, telling clients to send Information-Requests).
 * Relay messages and malformed messages are dropped as such.
 */
public final class Dhcpv6Server {
    private final Ipv6Network network;
    private final boolean dnsEnabled;
    private final GuestLink link;
    private final FrameCounters frames;
    private final Dhcpv6Counters counters;
    private final Dhcpv6Message message = new Dhcpv6Message();
    private final long[] dnsHi;
    private final long[] dnsLo;

    public Dhcpv6Server(NetworkConfig config, GuestLink link, FrameCounters frames, Dhcpv6Counters counters) {
        this.network = config.ipv6();
        if (network == null) {
            throw new IllegalArgumentException("DHCPv6 needs IPv6");
        }
        HostMirror6 mirror6 = config.mirror6();
        // a mirror names its DNS forwarder, if it has one; slirp's addressing P::3
        this.dnsEnabled = mirror6 != null ? mirror6.dnsForward() != null : config.dnsEnabled();
        this.link = link;
        this.frames = frames;
        this.counters = counters;
        this.dnsHi = new long[] {mirror6 != null && dnsEnabled ? mirror6.dnsForward().hi() : network.dnsHi()};
        this.dnsLo = new long[] {mirror6 != null && dnsEnabled ? mirror6.dnsForward().lo() : network.dnsLo()};
    }

    /**
     * True for a datagram the server takes: to port 547 at all-DHCP-agents, P::2 or fe80::2. The UDP input asks
     * before handing it over with {@link #onMessage}.
     */
    public boolean isForServer(IpDatagram ip, UdpDatagram udp) {
        if (udp.destinationPort() != Dhcpv6Message.SERVER_PORT) {
            return false;
        }
        long hi = ip.destinationHi();
        long lo = ip.destinationLo();
        return (hi == Ipv6Address.ALL_DHCP_SERVERS_HI && lo == Ipv6Address.ALL_DHCP_SERVERS_LO)
            || (lo == Ipv6Network.GATEWAY_ID && (hi == network.gatewayHi() || hi == network.routerHi()));
    }

    /** A validated UDP datagram {@link #isForServer for the server} from a guest address (views borrowed). */
    public void onMessage(IpDatagram ip, UdpDatagram udp) {
        ParseResult parsed = message.wrap(ip.buffer(), udp.payloadOffset(), udp.payloadLength());
        if (parsed != ParseResult.OK) {
            if (parsed == ParseResult.UNSUPPORTED) {
                frames.droppedUnsupported++;
            } else {
                frames.droppedMalformed++;
            }
            return;
        }
        if (message.messageType() != Dhcpv6Message.INFORMATION_REQUEST) {
            if (message.messageType() == Dhcpv6Message.ADVERTISE || message.messageType() == Dhcpv6Message.REPLY
                || message.messageType() == Dhcpv6Message.RECONFIGURE) {
                frames.droppedUnsupported++; // a server's message: nothing for us
            } else {
                counters.ignored++;
            }
            return;
        }
        if (message.hasIa() || (message.hasServerId() && !message.serverIdIs(link.gatewayMac6()))) {
            counters.discarded++;
            return;
        }
        reply(ip, udp);
    }

    private void reply(IpDatagram ip, UdpDatagram udp) {
        boolean multicast = Ipv6Address.isMulticast(ip.destinationHi());
        long fromHi = multicast ? network.routerHi() : ip.destinationHi();
        long fromLo = multicast ? network.routerLo() : ip.destinationLo();
        long toHi = ip.sourceHi();
        long toLo = ip.sourceLo();
        boolean dns = dnsEnabled && message.requests(Dhcpv6Message.OPTION_DNS_SERVERS);
        int length = Dhcpv6Message.HEADER_LENGTH + Dhcpv6Message.OPTION_HEADER_LENGTH
            + Dhcpv6Message.DUID_LL_ETHERNET_LENGTH
            + (message.hasClientId() ? Dhcpv6Message.OPTION_HEADER_LENGTH + message.clientIdLength() : 0)
            + (dns ? Dhcpv6Message.OPTION_HEADER_LENGTH + 16 : 0);
        ByteBuf frame = link.newIpv6Frame(Ipv6Packet.NEXT_HEADER_UDP, Ipv6Packet.DEFAULT_HOP_LIMIT, fromHi, fromLo,
            toHi, toLo, UdpDatagram.HEADER_LENGTH + length);
        int udpOffset = frame.writerIndex();
        int written = message.emitReply(frame, udpOffset + UdpDatagram.HEADER_LENGTH, Dhcpv6Message.REPLY,
            link.gatewayMac6(), dnsHi, dnsLo, dns ? 1 : 0, null);
        frame.writerIndex(udpOffset + UdpDatagram.HEADER_LENGTH + written);
        UdpDatagram.emitHeader(frame, udpOffset, Dhcpv6Message.SERVER_PORT, udp.sourcePort(), written,
            Ipv6Packet.pseudoHeader(fromHi, fromLo, toHi, toLo, Ipv6Packet.NEXT_HEADER_UDP));
        counters.replies++;
        link.sendIpv6(frame);
    }
}
