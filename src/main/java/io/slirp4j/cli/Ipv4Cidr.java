package io.slirp4j.cli;

import io.slirp4j.stack.wire.Ipv4Address;

/**
 * The guest's IPv4 network from {@code --cidr}: a network address (big-endian int, host bits zero) and a prefix
 * length of 1..25 (the recommended guest address is network+100, so /26 and longer cannot hold it).
 */
public record Ipv4Cidr(int network, int prefixLength) {
    public static final int MIN_PREFIX = 1;
    public static final int MAX_PREFIX = 25;
    public static final Ipv4Cidr DEFAULT = new Ipv4Cidr(10 << 24 | 0 << 16 | 2 << 8, 24);

    public Ipv4Cidr {
        if (prefixLength < MIN_PREFIX || prefixLength > MAX_PREFIX) {
            throw new IllegalArgumentException("prefix length needs to be 1-25");
        }
        if ((network & ~netmask(prefixLength)) != 0) {
            throw new IllegalArgumentException("host bits set in " + Ipv4Address.format(network) + "/" + prefixLength);
        }
    }

    public static int netmask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int netmask() {
        return netmask(prefixLength);
    }

    /**
     * Parses {@code a.b.c.d/N} with slirp4netns's checks and in its order: shape, prefix range, network address.
     * The three messages start with the texts slirp4netns prints and its clients match; what follows in
     * parentheses is ours, to show the user's own values.
     */
    static Ipv4Cidr parse(String text) throws UsageException {
        int slash = text.indexOf('/');
        String prefixText = slash < 0 ? "" : text.substring(slash + 1);
        Integer address = slash < 0 ? null : parseAddress(text.substring(0, slash));
        // slirp4netns's regex allows a prefix of one or two digits
        if (address == null || prefixText.isEmpty() || prefixText.length() > 2 || !isDigits(prefixText)) {
            throw UsageException.invalid("invalid CIDR: " + text + " (expected a network address like 10.0.2.0/24)");
        }
        int prefix = Integer.parseInt(prefixText);
        if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
            throw UsageException.invalid("prefix length needs to be 1-25 (got " + text + ")");
        }
        int network = address & netmask(prefix);
        if (network != address) {
            throw UsageException.invalid("CIDR needs to be a network address like 10.0.2.0/24, not like 10.0.2.100/24"
                + " (got " + text + "; its network address is " + Ipv4Address.format(network) + "/" + prefix + ")");
        }
        return new Ipv4Cidr(network, prefix);
    }

    /**
     * A dotted quad as inet_pton(AF_INET) reads it: four decimal parts 0..255 without leading zeros (the stack's
     * {@link Ipv4Address#parse} rule).
     *
     * @return the address as a big-endian int, or null if the text is not such an address
     */
    static Integer parseAddress(String text) {
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException notAnAddress) {
            return null;
        }
    }

    static boolean isDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return !text.isEmpty();
    }

    @Override
    public String toString() {
        return Ipv4Address.format(network) + "/" + prefixLength;
    }
}
