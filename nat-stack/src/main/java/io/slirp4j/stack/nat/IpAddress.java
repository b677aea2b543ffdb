package io.slirp4j.stack.nat;

import io.slirp4j.stack.wire.InAny;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 address as an {@link InAny} pair, for the {@link NatPolicy}'s answers that name an address
 * (what the guest is shown, where the host side connects). Per packet the engines use the two longs directly.
 */
public record IpAddress(long hi, long lo) {

    public static IpAddress of4(int v4) {
        return new IpAddress(InAny.hiOf4(), InAny.loOf4(v4));
    }

    public static IpAddress of(InetAddress address) {
        return new IpAddress(InAny.hiOf(address), InAny.loOf(address));
    }

    public boolean isIpv4() {
        return InAny.is4(hi, lo);
    }

    public InetAddress toInetAddress() {
        return InAny.toInetAddress(hi, lo);
    }

    @Override
    public String toString() {
        return InAny.format(hi, lo);
    }
}
