package io.slirp4j.stack;

import io.slirp4j.stack.wire.Ipv4Address;

/**
 * pasta's IPv4 addressing, where the guest is a copy of the host instead of a host behind a NAT: the guest uses the
 * host's own address, prefix and gateway, and every address but the guest's own is the outside world, reached through
 * host sockets to that same address (no address is translated, so a server sees the guest's connections come from
 * the host, and the guest sees forwarded clients as they are). A few addresses are mapped instead (pasta's options):
 * <ul>
 *   <li>{@code hostLoopback} ({@code --map-host-loopback}; by default the gateway, none with {@code --no-map-gw}):
 *       the host's 127.0.0.1; the host's loopback shows up as it;</li>
 *   <li>{@code hostAddressAlias} ({@code --map-guest-addr}): the host's own address, which the guest cannot reach
 *       under its own name since it holds it too; that address shows up as the alias;</li>
 *   <li>{@code dnsForward} ({@code --dns-forward}): port 53 is the host's nameservers.</li>
 * </ul>
 * Each of them is {@link #NONE} when not set. IPv4 addresses are big-endian ints.
 *
 * @param guest            the guest's address (the host's, unless {@code -a} says otherwise), or {@link #NONE} for
 *                         an IPv6-only guest ({@code -6}: then nothing else of IPv4 is set either)
 * @param prefixLength     its prefix length, 0..32 (the host's, unless {@code -n} says otherwise)
 * @param gateway          the guest's default gateway (the host's, unless {@code -g} says otherwise)
 * @param hostAddress      the host's own address, where {@code hostAddressAlias} leads
 * @param hostLoopback     the address that is the host's loopback, or {@link #NONE}
 * @param hostAddressAlias the address that is {@code hostAddress}, or {@link #NONE}
 * @param dnsForward       the address whose port 53 is the host's nameservers, or {@link #NONE}
 * @param ipv6             the same for IPv6, or null for an IPv4-only guest
 * @param services         which of DHCP, DHCPv6, NDP and router advertisements answer
 */
public record HostMirror(int guest, int prefixLength, int gateway, int hostAddress, int hostLoopback,
    int hostAddressAlias, int dnsForward, HostMirror6 ipv6, Services services) {

    /**
     * Which of the guest's configuration services answer (pasta's {@code --no-dhcp}, {@code --no-dhcpv6},
     * {@code --no-ndp}, {@code --no-ra}): without NDP no neighbour solicitation is answered and no router
     * advertisement sent; without RA no router advertisement (solicited or not).
     */
    public record Services(boolean dhcp, boolean dhcpv6, boolean ndp, boolean ra) {
        public static final Services ALL = new Services(true, true, true, true);

        /** Router advertisements: RA and NDP both on. */
        public boolean routerAdvertisements() {
            return ndp && ra;
        }
    }

    /** With every service. */
    public HostMirror(int guest, int prefixLength, int gateway, int hostAddress, int hostLoopback,
        int hostAddressAlias, int dnsForward, HostMirror6 ipv6) {
        this(guest, prefixLength, gateway, hostAddress, hostLoopback, hostAddressAlias, dnsForward, ipv6, Services.ALL);
    }

    /** No address: 0.0.0.0 is never a guest's destination or a host peer the guest is shown. */
    public static final int NONE = 0;

    public HostMirror {
        java.util.Objects.requireNonNull(services, "services");
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length needs to be 0-32");
        }
        if (guest == NONE) {
            // IPv6 only (pasta's -6): nothing of IPv4 is the guest's, ours or mapped
            if (ipv6 == null || gateway != NONE || hostLoopback != NONE || hostAddressAlias != NONE
                || dnsForward != NONE || services.dhcp()) {
                throw new IllegalArgumentException("an IPv6-only mirror has IPv6 and nothing of IPv4");
            }
        } else if (!Ipv4Address.isGlobalUnicastCandidate(guest)) {
            throw new IllegalArgumentException("not a unicast address for the guest: " + Ipv4Address.format(guest));
        }
        for (int mapped : new int[] {hostLoopback, hostAddressAlias, dnsForward}) {
            if (mapped == guest && guest != NONE) {
                throw new IllegalArgumentException("the guest's own address cannot be mapped too");
            }
        }
    }

    /** IPv4 only. */
    public HostMirror(int guest, int prefixLength, int gateway, int hostAddress, int hostLoopback,
        int hostAddressAlias, int dnsForward) {
        this(guest, prefixLength, gateway, hostAddress, hostLoopback, hostAddressAlias, dnsForward, null);
    }

    /** Whether the guest has IPv4 at all (not pasta's {@code -6}). */
    public boolean ipv4() {
        return guest != NONE;
    }

    public int netmask() {
        return NetworkConfig.netmask(prefixLength);
    }

    public int network() {
        return guest & netmask();
    }
}
