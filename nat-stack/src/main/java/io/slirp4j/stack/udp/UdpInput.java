package io.slirp4j.stack.udp;

import io.slirp4j.stack.dhcp.DhcpServer;
import io.slirp4j.stack.dhcpv6.Dhcpv6Server;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.iface.IpProtocolHandler;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.wire.DhcpMessage;
import io.slirp4j.stack.wire.Ipv6Address;
import io.slirp4j.stack.wire.ParseResult;
import io.slirp4j.stack.wire.UdpDatagram;

/**
 * UDP input from the guest: validates the UDP header and checksum, then sends DHCP (port 67, broadcast or to
 * the gateway) to the {@link DhcpServer} and everything else to the {@link UdpNat}. Broadcasts and datagrams
 * from 0.0.0.0 reach only DHCP. IPv6: DHCPv6 (port 547 at all-DHCP-agents ff02::1:2, P::2 or fe80::2) goes to the
 * {@link Dhcpv6Server}, other multicast is dropped, everything else goes to the NAT.
 */
public final class UdpInput implements IpProtocolHandler {
    private final AddressPolicy addresses;
    private final UdpNat nat;
    private final DhcpServer dhcp;
    private final Dhcpv6Server dhcp6;
    private final FrameCounters frames;
    private final UdpDatagram udp = new UdpDatagram();

    /**
     * {@code dhcp} may be null: then DHCP traffic is dropped as filtered; {@code dhcp6} may be null (no IPv6): then
     * DHCPv6 to all-DHCP-agents is dropped as unsupported.
     */
    public UdpInput(AddressPolicy addresses, UdpNat nat, DhcpServer dhcp, Dhcpv6Server dhcp6, FrameCounters frames) {
        this.addresses = addresses;
        this.nat = nat;
        this.dhcp = dhcp;
        this.dhcp6 = dhcp6;
        this.frames = frames;
    }

    @Override
    public void onDatagram(IpDatagram datagram) {
        ParseResult parsed = datagram.checksumTrusted()
            ? udp.wrapTrusted(datagram.buffer(), datagram.payloadOffset(), datagram.payloadLength())
            : datagram.isIpv4()
            ? udp.wrap(datagram.buffer(), datagram.payloadOffset(), datagram.payloadLength(), datagram.pseudoHeader())
            : udp.wrapIpv6(datagram.buffer(), datagram.payloadOffset(), datagram.payloadLength(),
                datagram.pseudoHeader());
        if (parsed != ParseResult.OK) {
            frames.droppedMalformed++;
            return;
        }
        if (!datagram.isIpv4()) {
            onIpv6(datagram);
            return;
        }
        boolean broadcast = addresses.isBroadcast(datagram.destination4());
        if (udp.destinationPort() == DhcpMessage.SERVER_PORT && udp.sourcePort() == DhcpMessage.CLIENT_PORT
            && (broadcast || datagram.destination4() == addresses.gateway()) && dhcp != null) {
            dhcp.onMessage(datagram, udp);
            return;
        }
        if (broadcast || datagram.source4() == 0) {
            frames.droppedFiltered++;
            return;
        }
        nat.onGuestDatagram(datagram, udp);
    }

    /**
     * IPv6: DHCPv6 goes to the DHCPv6 server when there is one; other datagrams to a multicast group (the IPv6 input
     * admits only all-DHCP-agents) are dropped, everything else goes to the NAT.
     */
    private void onIpv6(IpDatagram datagram) {
        if (dhcp6 != null && dhcp6.isForServer(datagram, udp)) {
            dhcp6.onMessage(datagram, udp);
            return;
        }
        if (Ipv6Address.isMulticast(datagram.destinationHi())) {
            frames.droppedUnsupported++;
            return;
        }
        nat.onGuestDatagram(datagram, udp);
    }
}
