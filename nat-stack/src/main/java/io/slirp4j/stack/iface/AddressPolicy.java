package io.slirp4j.stack.iface;

import io.slirp4j.stack.HostMirror;
import io.slirp4j.stack.HostMirror6;
import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.Ipv4Address;

/**
 * Which IPv4 addresses play which role in the virtual network: the stack's own (gateway N+2, DNS N+3), the
 * guest's (any other host address of the network), and the outside world the NAT may reach. One place for these
 * rules so that the input filter, ARP and the NAT agree.
 *
 * <p>N+3 stays one of ours for ARP and ping whether or not DNS is enabled; for TCP and UDP it is the DNS
 * forwarder only while DNS is enabled. With {@code --disable-dns} the NAT treats it as an ordinary outside
 * address (the host's own N+3), as slirp4netns does: libslirp then no longer translates N+3 and its sockets
 * connect to, and hear from, N+3 itself.
 *
 * <p>With a {@link HostMirror} (pasta's addressing) the guest's is the one address it copied from the host, every
 * other unicast address is outside (its own subnet's and its gateway too), and the stack's own are only the mapped
 * ones: the host's loopback (by default the gateway), the alias of the host's address, the DNS forwarder. ARP is
 * answered for every address but the guest's, as pasta does, so that the guest reaches its subnet's neighbours
 * through us too.
 *
 * <p>IPv6 (methods ending in 6, addresses as {@link InAny} halves), with the {@link Ipv6Network} prefix P: ours
 * are P::2 (gateway), P::3 (DNS) and the router's fe80::2; the guest's are every other address of P and the
 * link-local fe80::/64 (which it uses for neighbour and router discovery); outside is any unicast address not in P,
 * not link-local and not in ::/8. Without IPv6 nothing is any of these. A mirror's IPv6 half ({@link HostMirror6})
 * follows the mirror's IPv4 rules: the guest's are its one global address and its link-local ones, ours the
 * router's fe80::2 and the mapped addresses, and every other unicast address is outside, P's included.
 */
public final class AddressPolicy {
    private final int network;
    private final int netmask;
    private final int broadcast;
    private final int gateway;
    private final int dns;
    /** Whether the addressing is a mirror's. */
    private final boolean mirrored;
    /** The mirror's guest address, or 0 with slirp's addressing (or an IPv6-only mirror). */
    private final int mirroredGuest;
    /** The address that is the host's loopback (the gateway with slirp's addressing), or 0. */
    private final int hostLoopback;
    /** The address that is the host's own address ({@code --map-guest-addr}), or 0. */
    private final int hostAddressAlias;
    private final boolean dnsEnabled;
    private final boolean ipv6;
    private final long prefix6;
    /** The mirror's IPv6 half, or null (slirp's addressing: the prefix P's rules). */
    private final HostMirror6 mirror6;

    public AddressPolicy(NetworkConfig config) {
        this.network = config.network();
        this.netmask = config.netmask();
        this.broadcast = config.broadcast();
        this.gateway = config.gateway();
        this.dns = config.dns();
        this.dnsEnabled = config.dnsEnabled();
        HostMirror mirror = config.mirror();
        this.mirrored = mirror != null;
        this.mirroredGuest = mirror != null ? mirror.guest() : 0;
        this.hostLoopback = mirror != null ? mirror.hostLoopback() : gateway;
        this.hostAddressAlias = mirror != null ? mirror.hostAddressAlias() : 0;
        this.ipv6 = config.ipv6Enabled();
        this.prefix6 = ipv6 ? config.ipv6().prefix() : 0;
        this.mirror6 = config.mirror6();
    }

    public int gateway() {
        return gateway;
    }

    public int dns() {
        return dns;
    }

    /** Whether the guest is a copy of the host ({@link HostMirror}) rather than a host behind slirp's NAT. */
    public boolean mirrored() {
        return mirrored;
    }

    /**
     * The address whose TCP and UDP reach the host's 127.0.0.1 and as which the host's loopback shows up: the
     * gateway (with slirp's addressing, whether or not host loopback is enabled: see {@code NatPolicy}), the
     * mirror's {@code --map-host-loopback} address, or {@link HostMirror#NONE}.
     */
    public int hostLoopback() {
        return hostLoopback;
    }

    /** The mirror's {@code --map-guest-addr} address (which reaches the host's own address), or {@link HostMirror#NONE}. */
    public int hostAddressAlias() {
        return hostAddressAlias;
    }

    public boolean inNetwork(int address) {
        return (address & netmask) == network;
    }

    /** N+3 while DNS is enabled: TCP and UDP to it go to the DNS forwarder (port 53) or are refused. */
    public boolean isDnsForwarder(int address) {
        return dnsEnabled && address == dns;
    }

    /**
     * N+2 or N+3 (answered for ARP and ping, whether or not DNS is enabled); with a mirror, the mapped addresses
     * (ping answered; the rest of the mirror's subnet is answered for ARP too: {@link #answersArp}).
     */
    public boolean isOwn(int address) {
        if (mirrored) {
            return address != 0 && (address == hostLoopback || address == hostAddressAlias || address == dns);
        }
        return address == gateway || address == dns;
    }

    /** Whether an ARP request for {@code address} gets the stack's MAC: its own, or with a mirror any but the guest's. */
    public boolean answersArp(int address) {
        if (mirrored) {
            return isOutside(address); // (none at all without IPv4)
        }
        return isOwn(address);
    }

    /** 255.255.255.255 or the network's directed broadcast. */
    public boolean isBroadcast(int address) {
        return address == Ipv4Address.LIMITED_BROADCAST || address == broadcast;
    }

    /** An address the guest may use as its own: a host address of the network that is not the stack's. */
    public boolean isGuest(int address) {
        if (mirrored) {
            return address == mirroredGuest && address != 0;
        }
        return inNetwork(address) && address != network && address != broadcast && !isOwn(address);
    }

    /** A unicast address outside the virtual network that the NAT may send to (or accept replies from). */
    public boolean isOutside(int address) {
        if (mirrored) {
            return mirroredGuest != 0 && address != mirroredGuest && Ipv4Address.isGlobalUnicastCandidate(address)
                && !isBroadcast(address);
        }
        return !inNetwork(address) && Ipv4Address.isGlobalUnicastCandidate(address);
    }

    /**
     * An address whose TCP and UDP traffic the NAT passes to the same address on the host, and whose host-side
     * replies the guest sees as coming from that address: any {@link #isOutside outside} address, and N+3 when DNS
     * is disabled.
     */
    public boolean isPassThrough(int address) {
        if (mirrored) {
            return isOutside(address) && !isOwn(address);
        }
        return isOutside(address) || (!dnsEnabled && address == dns);
    }

    // ---- IPv6

    public boolean ipv6Enabled() {
        return ipv6;
    }

    /** P::2, or the router's fe80::2: TCP and UDP to it reach the host's ::1 (a mirror's: its host-loopback address). */
    public boolean isGateway6(long hi, long lo) {
        if (mirror6 != null) {
            return HostMirror6.is(mirror6.hostLoopback(), hi, lo);
        }
        return ipv6 && lo == Ipv6Network.GATEWAY_ID && (hi == prefix6 || hi == Ipv6Network.LINK_LOCAL_PREFIX);
    }

    /** P::3 while DNS is enabled (a mirror's: its DNS forwarder, if set). */
    public boolean isDnsForwarder6(long hi, long lo) {
        if (mirror6 != null) {
            return HostMirror6.is(mirror6.dnsForward(), hi, lo);
        }
        return ipv6 && dnsEnabled && hi == prefix6 && lo == Ipv6Network.DNS_ID;
    }

    /** The mirror's alias of the host's own IPv6 address ({@code --map-guest-addr}). */
    public boolean isHostAddressAlias6(long hi, long lo) {
        return mirror6 != null && HostMirror6.is(mirror6.hostAddressAlias(), hi, lo);
    }

    /** P::2, P::3 or fe80::2: answered for neighbour solicitation and ping (a mirror's: fe80::2 and the mapped ones). */
    public boolean isOwn6(long hi, long lo) {
        boolean router = hi == Ipv6Network.LINK_LOCAL_PREFIX && lo == Ipv6Network.GATEWAY_ID;
        if (mirror6 != null) {
            return router || isGateway6(hi, lo) || isDnsForwarder6(hi, lo) || isHostAddressAlias6(hi, lo);
        }
        return ipv6 && ((hi == prefix6 && (lo == Ipv6Network.GATEWAY_ID || lo == Ipv6Network.DNS_ID)) || router);
    }

    /**
     * Whether a neighbour solicitation for hi:lo gets the stack's MAC: its own, or with a mirror any unicast address
     * but the guest's (its subnet's neighbours and its gateway are reached through us too).
     */
    public boolean answersNdp6(long hi, long lo) {
        if (mirror6 != null) {
            return !mirror6.isGuest(hi, lo) && HostMirror6.isUnicast(hi, lo);
        }
        return isOwn6(hi, lo);
    }

    /** An address the guest may use as its own: in P or fe80::/64, not the stack's, not the subnet-router anycast. */
    public boolean isGuest6(long hi, long lo) {
        if (mirror6 != null) {
            return mirror6.isGuest(hi, lo) || (hi == Ipv6Network.LINK_LOCAL_PREFIX && lo != 0 && !isOwn6(hi, lo));
        }
        return ipv6 && (hi == prefix6 || hi == Ipv6Network.LINK_LOCAL_PREFIX) && lo != 0 && !isOwn6(hi, lo);
    }

    /**
     * A guest address in the prefix P (not link-local): what a port forward may lead to, since the guest's answers
     * to a forwarded client (shown as an address outside fe80::/64) must come from an address that routes.
     */
    public boolean isGuestInPrefix6(long hi, long lo) {
        if (mirror6 != null) {
            return mirror6.isGuest(hi, lo);
        }
        return ipv6 && hi == prefix6 && isGuest6(hi, lo);
    }

    /** A global-scope unicast address outside P that the NAT may send to (or accept replies from). */
    public boolean isOutside6(long hi, long lo) {
        int top = (int) (hi >>> 56);
        boolean guestSide = mirror6 != null ? mirror6.isGuest(hi, lo) : hi == prefix6;
        return ipv6 && !guestSide && top != 0 && top != 0xFF
            && (hi & 0xFFC0_0000_0000_0000L) != Ipv6Network.LINK_LOCAL_PREFIX;
    }

    /** {@link #isOutside6}, and P::3 when DNS is disabled (the IPv6 twin of {@link #isPassThrough}). */
    public boolean isPassThrough6(long hi, long lo) {
        if (mirror6 != null) {
            return isOutside6(hi, lo) && !isOwn6(hi, lo);
        }
        return isOutside6(hi, lo) || (ipv6 && !dnsEnabled && hi == prefix6 && lo == Ipv6Network.DNS_ID);
    }

    /** The guest's address (either family). */
    public boolean isGuest(long hi, long lo) {
        return InAny.is4(hi, lo) ? isGuest(InAny.v4(lo)) : isGuest6(hi, lo);
    }

    /** One of the stack's own addresses (either family). */
    public boolean isOwn(long hi, long lo) {
        return InAny.is4(hi, lo) ? isOwn(InAny.v4(lo)) : isOwn6(hi, lo);
    }
}
