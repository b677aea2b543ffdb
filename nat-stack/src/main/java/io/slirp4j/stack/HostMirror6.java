package io.slirp4j.stack;

import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.wire.Ipv6Address;

/**
 * The IPv6 half of {@link HostMirror}: the guest holds the host's global address, prefix length and gateway (often
 * the router's link-local address), every other unicast address is itself, and the mapped addresses are those of
 * pasta's options. Addresses are {@link IpAddress} halves; a mapping not set is null.
 *
 * @param guest            the guest's global address (the host's, unless {@code -a} says otherwise)
 * @param prefixLength     its prefix length, 1..128
 * @param gateway          the guest's default gateway (the host's, unless {@code -g} says otherwise)
 * @param hostAddress      the host's own address, where {@code hostAddressAlias} leads
 * @param hostLoopback     the address that is the host's ::1 ({@code --map-host-loopback}, by default the gateway),
 *                         or null
 * @param hostAddressAlias the address that is {@code hostAddress} ({@code --map-guest-addr}), or null
 * @param dnsForward       the address whose port 53 is the host's nameservers ({@code --dns-forward}), or null
 */
public record HostMirror6(IpAddress guest, int prefixLength, IpAddress gateway, IpAddress hostAddress,
    IpAddress hostLoopback, IpAddress hostAddressAlias, IpAddress dnsForward) {

    public HostMirror6 {
        if (prefixLength < 1 || prefixLength > 128) {
            throw new IllegalArgumentException("prefix length needs to be 1-128");
        }
        if (guest.isIpv4() || !Ipv6Network.isUsablePrefix(guest.hi())) {
            throw new IllegalArgumentException("not a global IPv6 address for the guest: " + guest);
        }
        if (guest.equals(hostLoopback) || guest.equals(hostAddressAlias) || guest.equals(dnsForward)) {
            throw new IllegalArgumentException("the guest's own address cannot be mapped too");
        }
    }

    public boolean isGuest(long hi, long lo) {
        return guest.hi() == hi && guest.lo() == lo;
    }

    /** Whether {@code address} (possibly null) is hi:lo. */
    public static boolean is(IpAddress address, long hi, long lo) {
        return address != null && address.hi() == hi && address.lo() == lo;
    }

    /** A unicast address that may be a neighbour on the guest's link: not ::, not multicast, not loopback. */
    public static boolean isUnicast(long hi, long lo) {
        return !Ipv6Address.isUnspecified(hi, lo) && !Ipv6Address.isMulticast(hi) && !Ipv6Address.isLoopback(hi, lo);
    }
}
