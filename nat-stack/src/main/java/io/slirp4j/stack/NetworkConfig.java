package io.slirp4j.stack;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The virtual network the guest sees, derived from --cidr: network N, gateway/host N+2, DNS N+3,
 * recommended guest address N+100, DHCP range N+15..N+30. IPv4 addresses are held as big-endian ints.
 *
 * @param network           network address (host bits zero)
 * @param prefixLength      1..25
 * @param mtu               the tap's MTU, 68..65521
 * @param hostLoopback      guest traffic to the gateway address reaches the host's 127.0.0.1
 * @param dnsEnabled        UDP/TCP port 53 to the DNS address is forwarded to the host's resolvers
 * @param ipv6              the IPv6 network ({@code --enable-ipv6}), or null for IPv4 only
 * @param outboundAddress4  the local address the guest's outbound IPv4 host sockets bind to before they connect or
 *                          send ({@code --outbound-addr}, already resolved to an address of this host), or null for
 *                          the kernel's choice
 * @param outboundAddress6  the same for IPv6 ({@code --outbound-addr6}), or null
 * @param mirror            pasta's addressing instead of slirp's ({@link HostMirror}: the guest is a copy of the
 *                          host), or null; with it, {@code network} and {@code prefixLength} are the mirror's, the
 *                          gateway, DNS and guest addresses its, and {@code hostLoopback} and {@code dnsEnabled}
 *                          say whether it maps those
 */
public record NetworkConfig(int network, int prefixLength, int mtu, boolean hostLoopback, boolean dnsEnabled,
    Ipv6Network ipv6, InetAddress outboundAddress4, InetAddress outboundAddress6, HostMirror mirror) {

    public static final int DEFAULT_NETWORK = (10 << 24) | (0 << 16) | (2 << 8);

    public NetworkConfig {
        if (mirror == null && (prefixLength < 1 || prefixLength > 25)) {
            throw new IllegalArgumentException("prefix length needs to be 1-25");
        }
        if (mirror != null && (network != mirror.network() || prefixLength != mirror.prefixLength()
            || hostLoopback != (mirror.hostLoopback() != HostMirror.NONE)
            || dnsEnabled != (mirror.dnsForward() != HostMirror.NONE)
            || (ipv6 == null) != (mirror.ipv6() == null)
            || (ipv6 != null && ipv6.prefix() != mirror.ipv6().guest().hi()))) {
            throw new IllegalArgumentException("the network does not match its mirror: " + mirror);
        }
        if ((network & ~netmask(prefixLength)) != 0) {
            throw new IllegalArgumentException("network address has host bits set");
        }
        if (mtu < 68 || mtu > 65521) {
            throw new IllegalArgumentException("MTU must be 68..65521");
        }
        if (outboundAddress4 != null && !(outboundAddress4 instanceof Inet4Address)) {
            throw new IllegalArgumentException("outboundAddress4 is not IPv4: " + outboundAddress4);
        }
        if (outboundAddress6 != null && !(outboundAddress6 instanceof Inet6Address)) {
            throw new IllegalArgumentException("outboundAddress6 is not IPv6: " + outboundAddress6);
        }
    }

    /** With outbound addresses, slirp's addressing. */
    public NetworkConfig(int network, int prefixLength, int mtu, boolean hostLoopback, boolean dnsEnabled,
        Ipv6Network ipv6, InetAddress outboundAddress4, InetAddress outboundAddress6) {
        this(network, prefixLength, mtu, hostLoopback, dnsEnabled, ipv6, outboundAddress4, outboundAddress6, null);
    }

    /** pasta's addressing ({@link HostMirror}, with IPv6 if it has it), without outbound addresses. */
    public static NetworkConfig mirroring(HostMirror mirror, int mtu) {
        return new NetworkConfig(mirror.network(), mirror.prefixLength(), mtu, mirror.hostLoopback() != HostMirror.NONE,
            mirror.dnsForward() != HostMirror.NONE,
            mirror.ipv6() != null ? new Ipv6Network(mirror.ipv6().guest().hi()) : null, null, null, mirror);
    }

    /** IPv4 only, without outbound addresses: host sockets bind where the kernel chooses. */
    public NetworkConfig(int network, int prefixLength, int mtu, boolean hostLoopback, boolean dnsEnabled) {
        this(network, prefixLength, mtu, hostLoopback, dnsEnabled, null, null, null);
    }

    /** With IPv6 ({@code ipv6} non-null) or without, without outbound addresses. */
    public NetworkConfig(int network, int prefixLength, int mtu, boolean hostLoopback, boolean dnsEnabled,
        Ipv6Network ipv6) {
        this(network, prefixLength, mtu, hostLoopback, dnsEnabled, ipv6, null, null);
    }

    /** This configuration with the given outbound addresses (each null for none). */
    public NetworkConfig withOutboundAddresses(InetAddress ipv4, InetAddress ipv6Address) {
        return new NetworkConfig(network, prefixLength, mtu, hostLoopback, dnsEnabled, ipv6, ipv4, ipv6Address,
            mirror);
    }

    /**
     * The local address outbound host sockets of this family bind to ({@link #outboundAddress4} for IPv4,
     * {@link #outboundAddress6} for IPv6), or null when the kernel chooses. For every protocol that opens host
     * sockets on the guest's behalf (TCP, UDP, ICMP echo).
     */
    public InetAddress outboundAddress(boolean ipv4) {
        return ipv4 ? outboundAddress4 : outboundAddress6;
    }

    /** The same network with IPv6 ({@code ipv6} non-null) or without. */
    public NetworkConfig withIpv6(Ipv6Network ipv6) {
        return new NetworkConfig(network, prefixLength, mtu, hostLoopback, dnsEnabled, ipv6, outboundAddress4,
            outboundAddress6, mirror);
    }

    public boolean ipv6Enabled() {
        return ipv6 != null;
    }

    /** The mirror's IPv6 half, or null (slirp's addressing, or an IPv4-only mirror). */
    public HostMirror6 mirror6() {
        return mirror != null ? mirror.ipv6() : null;
    }

    public static NetworkConfig defaults() {
        return new NetworkConfig(DEFAULT_NETWORK, 24, 1500, true, true);
    }

    public static int netmask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int netmask() {
        return netmask(prefixLength);
    }

    /** Whether the guest is a copy of the host (pasta's addressing) instead of a host behind slirp's NAT. */
    public boolean mirrored() {
        return mirror != null;
    }

    public int gateway() {
        return mirror != null ? mirror.gateway() : network + 2;
    }

    /** The DNS forwarder's address: N+3, or the mirror's {@code --dns-forward} address ({@link HostMirror#NONE}). */
    public int dns() {
        return mirror != null ? mirror.dnsForward() : network + 3;
    }

    /** The address {@code -c} (or pasta's {@code --config-net}) gives the guest: N+100, or the mirror's. */
    public int recommendedGuest() {
        return mirror != null ? mirror.guest() : network + 100;
    }

    /** The DHCP pool's first address: N+15, or with a mirror its one address, the guest's. */
    public int dhcpFirst() {
        return mirror != null ? mirror.guest() : network + 15;
    }

    public int dhcpLast() {
        return mirror != null ? mirror.guest() : network + 30;
    }

    /** The directed broadcast address; a /31 or /32 has none, and 255.255.255.255 stands in. */
    public int broadcast() {
        return prefixLength >= 31 ? -1 : network | ~netmask();
    }

    public boolean inNetwork(int address) {
        return (address & netmask()) == network;
    }

    /** The MAC the stack answers ARP with for one of its own addresses: 52:55 followed by the address bytes. */
    public static byte[] macFor(int address) {
        return new byte[] {0x52, 0x55, (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8),
            (byte) address};
    }
}
