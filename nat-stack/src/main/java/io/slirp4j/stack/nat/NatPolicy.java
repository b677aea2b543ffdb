package io.slirp4j.stack.nat;

import io.slirp4j.stack.HostMirror;
import io.slirp4j.stack.HostMirror6;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.Ipv4Address;
import io.slirp4j.stack.wire.Ipv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The NAT's address rules, for both directions and every protocol, in one place: which host target a guest
 * destination becomes, and which source address the guest is shown for a host peer. Pure: no state beyond the
 * configuration, no I/O; the engines ({@code TcpNat}, {@code UdpNat}, {@code DnsForwarder}, the port forwards)
 * ask it and then say the answer in their protocol's words (an RST or an ICMP error, a host socket, a frame).
 *
 * <p>Guest to host ({@link #route}, {@link #hostAddress}): the gateway N+2 is the host's 127.0.0.1, or network
 * unreachable with host loopback disabled; with DNS enabled, N+3 port 53 is the host's nameservers (which one:
 * {@link #firstNameserver}, {@link #nameserver}, the same order for UDP and TCP) and every other port of N+3 is
 * closed; with DNS disabled, N+3 is an ordinary outside address (the host's own N+3), as in slirp4netns; any other
 * outside address is itself; anything else is filtered.
 *
 * <p>Host to guest: a host peer answering an outbound flow ({@link #replySource}) shows up as itself, or as the
 * gateway when it is the host's loopback; peers the guest could not tell from its own network, and IPv6 peers,
 * cannot be shown. A client of a port forward ({@link #forwardClientSource}) shows up as itself when it is an address
 * of the guest address's family outside the virtual network, otherwise (loopback, unspecified, the other family,
 * an address inside the virtual network) as the gateway of that family, which routes back to us. Answers of the nameservers show up as N+3:53.
 *
 * <p>With a {@link HostMirror} (pasta's addressing) nothing is translated but the mirror's mapped addresses: its
 * host-loopback address is the host's 127.0.0.1 (and the host's loopback shows up as it), its alias of the host's
 * address is that address (which shows up as the alias), its DNS forwarder's port 53 the nameservers; every other
 * address but the guest's is itself, the gateway and the guest's own subnet included. A port forward's client shows
 * up as itself unless it is the host's loopback or the host's own address, which show up mapped (or as the gateway
 * where no mapping is set).
 *
 * <p>IPv6 follows the same rules with its own addresses ({@link AddressPolicy}'s methods ending in 6): the gateway
 * P::2 (and the router's fe80::2) is the host's ::1, the DNS address P::3 the nameservers (IPv4 and IPv6 alike),
 * an outside address itself; the host's ::1 shows up as P::2. The two families do not mix: an IPv4 guest flow never
 * sees an IPv6 peer, nor the other way round (no NAT64). The overloads taking {@link InAny} halves serve both.
 */
public final class NatPolicy {
    public static final int DNS_PORT = 53;
    /** Returned by {@link #replySource} for a peer the guest must not see (0.0.0.0 is never a source). */
    public static final int NONE = 0;

    /** What a guest destination (address, port) becomes on the host side. */
    public enum Route {
        /** A host socket to {@link #hostAddress} and the same port. */
        HOST,
        /** Nothing on the host: the guest hears network unreachable (the gateway with host loopback disabled). */
        NET_UNREACHABLE,
        /** The host's nameservers (N+3:53 with DNS enabled). */
        NAMESERVER,
        /** A closed port (any other port of N+3 with DNS enabled): RST for TCP, ICMP port unreachable for UDP. */
        CLOSED,
        /** Not an address the NAT passes on: dropped silently. */
        FILTERED
    }

    private static final IpAddress IPV6_LOOPBACK = new IpAddress(0, 1);

    private final AddressPolicy addresses;
    private final boolean hostLoopback;
    /** The mirror's host address, which its alias leads to, or {@link HostMirror#NONE}. */
    private final int hostOwnAddress;
    /** The mirror's IPv6 half, or null. */
    private final HostMirror6 mirror6;
    /** What the host's ::1 shows up as: P::2, or the mirror's host-loopback address (null: not shown). */
    private final IpAddress gateway6;
    /** The IPv6 DNS forwarder: P::3, or the mirror's (null: none). */
    private final IpAddress dns6;
    private final IpAddress router6;
    private final InetAddress outbound4;
    private final InetAddress outbound6;
    private final InetSocketAddress outboundBind4;
    private final InetSocketAddress outboundBind6;

    public NatPolicy(NetworkConfig config, AddressPolicy addresses) {
        this.addresses = addresses;
        this.hostLoopback = config.hostLoopback();
        this.hostOwnAddress = config.mirrored() ? config.mirror().hostAddress() : HostMirror.NONE;
        this.mirror6 = config.mirror6();
        if (mirror6 != null) {
            this.gateway6 = mirror6.hostLoopback();
            this.dns6 = mirror6.dnsForward();
        } else {
            this.gateway6 = config.ipv6Enabled()
                ? new IpAddress(config.ipv6().gatewayHi(), config.ipv6().gatewayLo()) : null;
            this.dns6 = config.ipv6Enabled() ? new IpAddress(config.ipv6().dnsHi(), config.ipv6().dnsLo()) : null;
        }
        this.router6 = config.ipv6Enabled()
            ? new IpAddress(config.ipv6().routerHi(), config.ipv6().routerLo()) : null;
        this.outbound4 = config.outboundAddress4();
        this.outbound6 = config.outboundAddress6();
        this.outboundBind4 = new InetSocketAddress(outbound4 != null ? outbound4 : wildcard(4), 0);
        this.outboundBind6 = new InetSocketAddress(outbound6 != null ? outbound6 : wildcard(16), 0);
    }

    private static InetAddress wildcard(int length) {
        try {
            return InetAddress.getByAddress(new byte[length]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public AddressPolicy addresses() {
        return addresses;
    }

    // ---- guest -> host

    /** Where a guest's packet to {@code destination:port} goes. */
    public Route route(int destination, int port) {
        if (destination == addresses.hostLoopback() && destination != HostMirror.NONE) {
            return hostLoopback ? Route.HOST : Route.NET_UNREACHABLE;
        }
        if (addresses.isDnsForwarder(destination)) {
            return port == DNS_PORT ? Route.NAMESERVER : Route.CLOSED;
        }
        if (addresses.isPassThrough(destination)
            || (destination == addresses.hostAddressAlias() && destination != HostMirror.NONE)) {
            return Route.HOST;
        }
        return Route.FILTERED;
    }

    /** Where a guest's packet to {@code destination:port} ({@link InAny} halves, either family) goes. */
    public Route route(long hi, long lo, int port) {
        if (InAny.is4(hi, lo)) {
            return route(InAny.v4(lo), port);
        }
        if (addresses.isGateway6(hi, lo)) {
            // (a mirror's is set only where it maps, whatever the IPv4 half says)
            return hostLoopback || mirror6 != null ? Route.HOST : Route.NET_UNREACHABLE;
        }
        if (addresses.isDnsForwarder6(hi, lo)) {
            return port == DNS_PORT ? Route.NAMESERVER : Route.CLOSED;
        }
        if (addresses.isPassThrough6(hi, lo) || addresses.isHostAddressAlias6(hi, lo)) {
            return Route.HOST;
        }
        return Route.FILTERED;
    }

    /**
     * The host address for a destination ({@link InAny} halves) {@link #route routed} {@link Route#HOST}: the
     * host's loopback (127.0.0.1 or ::1) for the gateway, else the destination itself.
     */
    public IpAddress hostAddress(long hi, long lo) {
        return new IpAddress(hostHi(hi, lo), hostLo(hi, lo));
    }

    /** The high half of {@link #hostAddress(long, long)}, for callers that allocate nothing per packet. */
    public long hostHi(long hi, long lo) {
        if (InAny.is4(hi, lo)) {
            return hi;
        }
        if (addresses.isHostAddressAlias6(hi, lo)) {
            return mirror6.hostAddress().hi();
        }
        return addresses.isGateway6(hi, lo) ? 0 : hi;
    }

    /** The low half of {@link #hostAddress(long, long)}. */
    public long hostLo(long hi, long lo) {
        if (InAny.is4(hi, lo)) {
            return InAny.loOf4(hostAddress(InAny.v4(lo)));
        }
        if (addresses.isHostAddressAlias6(hi, lo)) {
            return mirror6.hostAddress().lo();
        }
        return addresses.isGateway6(hi, lo) ? 1 : lo;
    }

    /**
     * Where a guest's ICMP echo request to {@code destination} goes, when the stack does not answer it itself (the
     * gateway and N+3 it answers, whatever the settings, as libslirp does): to the same address on the host for an
     * outside address (and N+3 with DNS disabled, which libslirp also sends out), else nowhere.
     */
    public Route routeEcho(int destination) {
        return addresses.isPassThrough(destination) ? Route.HOST : Route.FILTERED;
    }

    /**
     * {@link #routeEcho(int)} for a destination of either family ({@link InAny} halves): an IPv6 echo request goes to
     * the same address on the host when it is {@link AddressPolicy#isPassThrough6 outside} (or P::3 with DNS
     * disabled), else nowhere (P::2, P::3 and fe80::2 the stack answers itself).
     */
    public Route routeEcho(long hi, long lo) {
        if (InAny.is4(hi, lo)) {
            return routeEcho(InAny.v4(lo));
        }
        return addresses.isPassThrough6(hi, lo) ? Route.HOST : Route.FILTERED;
    }

    /** The host address for a destination {@link #route routed} {@link Route#HOST}: 127.0.0.1 for the gateway. */
    public int hostAddress(int destination) {
        if (destination == HostMirror.NONE) {
            return destination;
        }
        if (destination == addresses.hostLoopback()) {
            return Ipv4Address.LOOPBACK;
        }
        return destination == addresses.hostAddressAlias() ? hostOwnAddress : destination;
    }

    /**
     * The index in {@code servers} (non-empty) of the nameserver a new DNS query (UDP) or connection (TCP) tries
     * first: {@code preferred} (the
     * one that last worked) when it is still in the list, else the first.
     */
    public static int firstNameserver(List<InetSocketAddress> servers, InetSocketAddress preferred) {
        return preferred == null ? 0 : Math.max(0, servers.indexOf(preferred));
    }

    /**
     * The nameserver for a query's or connection's {@code attempt}-th try (0 = the first) when it started at index
     * {@code start}: the next one in the list each time, wrapping around, so every nameserver gets one turn; null
     * once they all had it. UDP moves on when a query goes unanswered, TCP when a connect fails.
     */
    public static InetSocketAddress nameserver(List<InetSocketAddress> servers, int start, int attempt) {
        int size = servers.size();
        return attempt >= size ? null : servers.get((start + attempt) % size);
    }

    /**
     * The local address a host socket that connects to {@code remote} on the guest's behalf binds to first
     * ({@code --outbound-addr} for an IPv4 remote, {@code --outbound-addr6} for IPv6), or null: the kernel chooses.
     */
    public InetAddress outboundAddress(InetAddress remote) {
        return remote instanceof Inet4Address ? outbound4 : outbound6;
    }

    /**
     * Where an unconnected host socket of the family that sends on the guest's behalf (a UDP flow) binds: the
     * outbound address of that family and port 0, or the wildcard address and port 0 without one.
     */
    public InetSocketAddress outboundBind(boolean ipv4) {
        return ipv4 ? outboundBind4 : outboundBind6;
    }

    // ---- host -> guest

    /** The source the guest is shown for the nameservers' answers: N+3 (port {@link #DNS_PORT}). */
    public int nameserverSource() {
        return addresses.dns();
    }

    /** {@link #nameserverSource()} for a guest flow of the given family: N+3 or P::3. */
    public IpAddress nameserverSource(boolean ipv6) {
        return ipv6 ? dns6 : IpAddress.of4(addresses.dns());
    }

    /**
     * {@link #replySource(InetAddress)} for a guest flow of either family: the peer itself, the gateway (N+2 or
     * P::2) for the host's loopback, or null (drop it) for a peer of the other family or one the guest could not
     * tell from its own network.
     */
    public IpAddress replySource(InetAddress peer, boolean ipv6) {
        return replySource(peer, ipv6, false);
    }

    /**
     * {@link #replySource(InetAddress, boolean)} for a flow whose guest address may be link-local: such a guest
     * talked to the gateway as fe80::2 (a link-local source only reaches link-local destinations), so the host's
     * loopback shows up as fe80::2 to it, not as P::2, which its socket would not accept an answer from.
     */
    public IpAddress replySource(InetAddress peer, boolean ipv6, boolean linkLocalGuest) {
        if (!ipv6) {
            int v4 = replySource(peer);
            return v4 == NONE ? null : IpAddress.of4(v4);
        }
        if (!(peer instanceof Inet6Address) || (gateway6 == null && mirror6 == null)) {
            return null;
        }
        if (peer.isLoopbackAddress()) {
            return linkLocalGuest ? router6 : gateway6;
        }
        long hi = InAny.hiOf(peer);
        long lo = InAny.loOf(peer);
        if (mirror6 != null && mirror6.hostAddressAlias() != null && HostMirror6.is(mirror6.hostAddress(), hi, lo)) {
            return mirror6.hostAddressAlias();
        }
        return addresses.isPassThrough6(hi, lo) ? new IpAddress(hi, lo) : null;
    }

    /**
     * The source address the guest is shown for a host peer answering one of its outbound flows: the peer itself,
     * the gateway for the host's loopback, or {@link #NONE} (drop it) for IPv6 peers and addresses the guest could
     * not tell from its own network.
     */
    public int replySource(InetAddress peer) {
        if (!(peer instanceof Inet4Address v4)) {
            return NONE;
        }
        int address = Ipv4Address.fromInetAddress(v4);
        if (Ipv4Address.isLoopback(address)) {
            return addresses.hostLoopback();
        }
        if (address == hostOwnAddress && addresses.hostAddressAlias() != HostMirror.NONE) {
            return addresses.hostAddressAlias();
        }
        return addresses.isPassThrough(address) ? address : NONE;
    }

    /**
     * The source address the guest is shown for a host-side client of a port forward (TCP and UDP): the client's
     * own address when it is an IPv4 address outside the virtual network, otherwise (loopback, unspecified, IPv6,
     * an address the guest could not tell from its own network) the gateway, which routes back to us.
     */
    public int forwardClientSource(InetAddress client) {
        return forwardClientSource4(client);
    }

    /**
     * {@link #forwardClientSource(InetAddress)} for a forward to a guest address of either family: for an IPv4 guest
     * address, as there; for an IPv6 one, the client's own address when it is an IPv6 address outside the prefix
     * (and not link-local or loopback), otherwise (loopback, unspecified, IPv4 or IPv4-mapped, inside the prefix,
     * link-local) the gateway P::2, which routes back to us.
     */
    public IpAddress forwardClientSource(InetAddress client, boolean ipv6) {
        if (ipv6) {
            long hi = InAny.hiOf(client);
            long lo = InAny.loOf(client);
            if (mirror6 != null) {
                return forwardClientSource6(hi, lo);
            }
            if (gateway6 == null) {
                throw new IllegalStateException("an IPv6 forward without IPv6");
            }
            return !InAny.is4(hi, lo) && addresses.isOutside6(hi, lo) ? new IpAddress(hi, lo) : gateway6;
        }
        return IpAddress.of4(forwardClientSource4(client));
    }

    /**
     * A mirror's: the client itself when it passes through; the host's loopback and own address as their mappings
     * (either one standing in for the other when only one is set), else the gateway.
     */
    private IpAddress forwardClientSource6(long hi, long lo) {
        if (!InAny.is4(hi, lo) && addresses.isPassThrough6(hi, lo)) {
            return new IpAddress(hi, lo);
        }
        boolean loopback = !InAny.is4(hi, lo) && Ipv6Address.isLoopback(hi, lo);
        IpAddress first = loopback ? mirror6.hostLoopback() : mirror6.hostAddressAlias();
        IpAddress second = loopback ? mirror6.hostAddressAlias() : mirror6.hostLoopback();
        return first != null ? first : second != null ? second : mirror6.gateway();
    }

    private int forwardClientSource4(InetAddress client) {
        if (client instanceof Inet4Address v4) {
            int address = Ipv4Address.fromInetAddress(v4);
            if (addresses.mirrored()) {
                int mapped = Ipv4Address.isLoopback(address) ? addresses.hostLoopback()
                    : address == hostOwnAddress ? addresses.hostAddressAlias() : HostMirror.NONE;
                if (mapped != HostMirror.NONE) {
                    return mapped;
                }
            }
            if (addresses.mirrored() ? addresses.isPassThrough(address) : addresses.isOutside(address)) {
                return address;
            }
        }
        return addresses.gateway();
    }
}
