package io.slirp4j.stack.udp;

import io.slirp4j.stack.dhcp.DhcpServer;
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
 * from 0.0.0.0 reach only DHCP. IPv6 datagrams go to the NAT; DHCPv6 to all-DHCP-agents is not served yet.
 */
public final class UdpInput implements IpProtocolHandler {
    private final AddressPolicy addresses;
    private final UdpNat nat;
    private final DhcpServer dhcp;
    private final FrameCounters frames;
    private final UdpDatagram udp = new UdpDatagram();

    /** {@code dhcp} may be null: then DHCP traffic is dropped as filtered. */
    public UdpInput(AddressPolicy addresses, UdpNat nat, DhcpServer dhcp, FrameCounters frames) {
        this.addresses = addresses;
        this.nat = nat;
        this.dhcp = dhcp;
        this.frames = frames;
    }

    @Override
    public void onDatagram(IpDatagram datagram) {
        ParseResult parsed = datagram.isIpv4()
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
     * IPv6: datagrams to a multicast group (the IPv6 input admits only all-DHCP-agents) go to the DHCPv6 server
     * when there is one, everything else to the NAT.
     */
    private void onIpv6(IpDatagram datagram) {
        if (Ipv6Address.isMulticast(datagram.destinationHi())) {
            frames.droppedUnsupported++;
            return;
        }
        nat.onGuestDatagram(datagram, udp);
    }
}
