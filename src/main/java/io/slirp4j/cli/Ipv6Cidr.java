package io.slirp4j.cli;

import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.IpLiterals;
import java.net.Inet6Address;

/**
 * The guest's IPv6 prefix from {@code --cidr6} (ours; slirp4netns hard-codes fd00::/64, its issues #259 and #349
 * ask for this): a /64, because the guest configures itself by SLAAC, which needs a 64-bit interface identifier.
 *
 * @param prefix the prefix's 64 bits (the high half of every address in it)
 */
public record Ipv6Cidr(long prefix) {
    public static final Ipv6Cidr DEFAULT = new Ipv6Cidr(Ipv6Network.DEFAULT_PREFIX);
    static final String SYNTAX = "an IPv6 network like fd00:1::/64";

    /** Parses {@code PREFIX/64}: a literal whose low 64 bits are zero, not link-local, multicast or in ::/8. */
    static Ipv6Cidr parse(String text) throws UsageException {
        int slash = text.indexOf('/');
        Inet6Address address = slash < 0 ? null : IpLiterals.ipv6(text.substring(0, slash));
        String prefixText = slash < 0 ? "" : text.substring(slash + 1);
        if (address == null || !Ipv4Cidr.isDigits(prefixText) || prefixText.length() > 3) {
            throw UsageException.invalid("invalid CIDR6: " + text + " (expected " + SYNTAX + ")");
        }
        if (Integer.parseInt(prefixText) != 64) {
            throw UsageException.invalid("IPv6 prefix length needs to be 64 (got " + text + ")");
        }
        long hi = InAny.hiOf(address);
        long lo = InAny.loOf(address);
        if (lo != 0) {
            throw UsageException.invalid("CIDR6 needs to be a network address like fd00:1::/64, not like "
                + "fd00:1::100/64 (got " + text + "; its network address is " + InAny.format(hi, 0) + "/64)");
        }
        if (!Ipv6Network.isUsablePrefix(hi)) {
            throw UsageException.invalid("CIDR6 needs to be a unicast prefix outside fe80::/10 and ::/8 (got " + text
                + ")");
        }
        return new Ipv6Cidr(hi);
    }

    public Ipv6Network network() {
        return new Ipv6Network(prefix);
    }

    @Override
    public String toString() {
        return InAny.format(prefix, 0) + "/64";
    }
}
