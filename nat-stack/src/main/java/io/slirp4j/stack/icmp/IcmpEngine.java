package io.slirp4j.stack.icmp;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.host.HostPings;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.iface.IpProtocolHandler;
import io.slirp4j.stack.nat.NatPolicy;
import io.slirp4j.stack.stats.ErrorCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.IcmpCounters;
import io.slirp4j.stack.wire.IcmpV4Packet;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.ParseResult;
import java.net.InetAddress;
import java.util.function.LongSupplier;

/**
 * ICMPv4: echo for the stack's own addresses, echo to outside addresses through host echo sockets (for IPv6 too, with
 * the {@link Icmpv6Engine}), and the error messages other engines ask for.
 *
 * <p>Theory of operation: an echo request (type 8, code 0) to the gateway N+2 or the DNS address N+3 is
 * answered with an echo reply carrying the same identifier, sequence number and data; a request of any size
 * works because the IPv4 input reassembles and the guest link fragments. Echo replies and errors carry TTL 255,
 * as libslirp's do (slirp4netns's ping shows {@code ttl=255}). An echo request to an outside address goes to the
 * {@link IcmpNat} when the stack has {@link HostPings} (host ping sockets), and is dropped as unsupported without.
 * Everything else arriving here (other types, errors from the guest) is dropped and counted as unsupported.
 *
 * <p>{@link #sendDestinationUnreachable} builds an error quoting the offending datagram's header and first 8
 * payload bytes (RFC 792), and follows RFC 1122 3.2.2 / RFC 1812 4.3.2.7 on when not to: never about an ICMP
 * error or a datagram whose source is not a single guest host (never about a non-first fragment either: engines
 * only see whole datagrams). The error comes from the
 * address the datagram was sent to if that is one of ours (it is "the host" saying no), else from the gateway
 * (the router saying no).
 */
public final class IcmpEngine implements IpProtocolHandler {
    private final AddressPolicy addresses;
    private final GuestLink link;
    private final FrameCounters frames;
    private final IcmpCounters counters;
    private final IcmpV4Packet icmp = new IcmpV4Packet();
    private final IcmpNat echo;
    private final Icmpv6Engine icmp6;

    /** Without echo to outside addresses. */
    public IcmpEngine(AddressPolicy addresses, GuestLink link, FrameCounters frames, IcmpCounters counters) {
        this(addresses, link, frames, counters, null);
    }

    /** Without echo to outside addresses; {@code icmp6} (null without IPv6) sends the errors about IPv6 packets. */
    public IcmpEngine(AddressPolicy addresses, GuestLink link, FrameCounters frames, IcmpCounters counters,
        Icmpv6Engine icmp6) {
        this.addresses = addresses;
        this.link = link;
        this.frames = frames;
        this.counters = counters;
        this.echo = null;
        this.icmp6 = icmp6;
    }

    /**
     * With echo to outside addresses through {@code hostPings} (see {@link IcmpNat}), from {@code bindAddress}
     * (IPv4) and {@code bindAddress6} (IPv6; null: the system's choice), at most {@code maxEchoFlows} host echo
     * sockets at once. With {@code icmp6} (IPv6 enabled), the ICMPv6 engine hands its echo requests to outside
     * addresses to the same {@link IcmpNat}.
     */
    public IcmpEngine(NatPolicy nat, GuestLink link, HostPings hostPings, InetAddress bindAddress,
        InetAddress bindAddress6, FrameCounters frames, IcmpCounters counters, ErrorCounters errors,
        LongSupplier clock, int maxEchoFlows, Icmpv6Engine icmp6) {
        this.icmp6 = icmp6;
        this.addresses = nat.addresses();
        this.link = link;
        this.frames = frames;
        this.counters = counters;
        this.echo = new IcmpNat(this, icmp6, nat, link, hostPings, bindAddress, bindAddress6, frames, counters,
            errors, clock, maxEchoFlows);
        if (icmp6 != null) {
            icmp6.echoToOutside(echo);
        }
    }

    /** How many host echo sockets a stack holds at most by default. */
    public static final int DEFAULT_MAX_ECHO_FLOWS = IcmpNat.DEFAULT_MAX_FLOWS;

    @Override
    public void onDatagram(IpDatagram datagram) {
        if (icmp.wrap(datagram.buffer(), datagram.payloadOffset(), datagram.payloadLength()) != ParseResult.OK) {
            frames.droppedMalformed++;
            return;
        }
        if (icmp.type() != IcmpV4Packet.TYPE_ECHO_REQUEST || icmp.code() != 0) {
            frames.droppedUnsupported++;
            return;
        }
        if (!addresses.isOwn(datagram.destination4())) {
            if (echo == null) {
                frames.droppedUnsupported++;
            } else {
                echo.onEchoRequest(datagram, icmp.identifier(), icmp.sequence());
            }
            return;
        }
        int length = icmp.length();
        ByteBuf reply = link.newIpv4Frame(Ipv4Packet.PROTOCOL_ICMP, Ipv4Packet.MAX_TTL, datagram.destination4(),
            datagram.source4(), length);
        int at = reply.writerIndex();
        reply.writeBytes(datagram.buffer(), icmp.offset(), length);
        IcmpV4Packet.emitEcho(reply, at, IcmpV4Packet.TYPE_ECHO_REPLY, icmp.identifier(), icmp.sequence(),
            icmp.dataLength());
        counters.echoReplies++;
        link.sendIpv4(reply);
    }

    /** Tells the guest that {@code original} (borrowed, either family) cannot be delivered, and why. */
    public void sendUnreachable(IpDatagram original, Unreachable reason) {
        if (original.isIpv4()) {
            sendDestinationUnreachable(original, reason.v4Code);
        } else if (icmp6 != null) {
            icmp6.sendDestinationUnreachable(original, reason.v6Code);
        }
    }

    /** Tells the guest that {@code original} (borrowed, IPv4) cannot be delivered, with the given code of type 3. */
    public void sendDestinationUnreachable(IpDatagram original, int code) {
        sendError(original, IcmpV4Packet.TYPE_DESTINATION_UNREACHABLE, code, 0);
    }

    /**
     * An ICMP error of {@code type} and {@code code} (the 4 bytes after them: {@code restOfHeader}) about
     * {@code original} (borrowed), under the rules above.
     */
    void sendError(IpDatagram original, int type, int code, int restOfHeader) {
        if (!addresses.isGuest(original.source4()) || addresses.isBroadcast(original.destination4())) {
            return;
        }
        if (original.protocol() == Ipv4Packet.PROTOCOL_ICMP) {
            if (original.payloadLength() < 1
                || IcmpV4Packet.isError(IcmpV4Packet.type(original.buffer(), original.payloadOffset()))) {
                return;
            }
        }
        int quote = IcmpV4Packet.quoteLength(original.headerLength(), original.totalLength());
        int from = addresses.isOwn(original.destination4()) ? original.destination4() : addresses.gateway();
        ByteBuf error = link.newIpv4Frame(Ipv4Packet.PROTOCOL_ICMP, Ipv4Packet.MAX_TTL, from, original.source4(),
            IcmpV4Packet.HEADER_LENGTH + quote);
        int at = error.writerIndex();
        int length = IcmpV4Packet.emitError(error, at, type, code, restOfHeader, original.buffer(), original.offset(),
            quote);
        error.writerIndex(at + length);
        counters.errorsSent++;
        link.sendIpv4(error);
    }

    /** Closes echo flows (of both families) idle for too long. */
    public void expire(long now) {
        if (echo != null) {
            echo.expire(now);
        }
    }

    /** IPv4 echo flows (host echo sockets) open now. */
    public int openEchoFlows() {
        return echo == null ? 0 : echo.openFlows(false);
    }

    /** IPv6 echo flows (host echo sockets) open now. */
    public int openEchoFlows6() {
        return echo == null ? 0 : echo.openFlows(true);
    }

    /** Closes every host echo socket (of both families). */
    public void close() {
        if (echo != null) {
            echo.close();
        }
    }
}
