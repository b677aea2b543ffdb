package io.slirp4j.stack.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IPv4 addresses as big-endian {@code int}s: classification, formatting, conversion to and from the JDK's types. */
public final class Ipv4Address {
    public static final int ANY = 0;
    public static final int LIMITED_BROADCAST = 0xFFFF_FFFF;
    public static final int LOOPBACK = 0x7F00_0001;

    private Ipv4Address() {
    }

    public static int of(int a, int b, int c, int d) {
        return (a & 0xFF) << 24 | (b & 0xFF) << 16 | (c & 0xFF) << 8 | (d & 0xFF);
    }

    /** 224.0.0.0/4. */
    public static boolean isMulticast(int address) {
        return (address >>> 28) == 0xE;
    }

    /** 127.0.0.0/8. */
    public static boolean isLoopback(int address) {
        return (address >>> 24) == 127;
    }

    /** 0.0.0.0/8, "this network": valid only as a source during configuration (DHCP). */
    public static boolean isThisNetwork(int address) {
        return (address >>> 24) == 0;
    }

    /** 240.0.0.0/4, including the limited broadcast address. */
    public static boolean isReserved(int address) {
        return (address >>> 28) == 0xF;
    }

    /** A unicast address that may be a host on the Internet (as opposed to special-purpose blocks above). */
    public static boolean isGlobalUnicastCandidate(int address) {
        return !isMulticast(address) && !isLoopback(address) && !isThisNetwork(address) && !isReserved(address);
    }

    public static Inet4Address toInetAddress(int address) {
        try {
            return (Inet4Address) InetAddress.getByAddress(
                new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }

    public static int fromInetAddress(Inet4Address address) {
        byte[] b = address.getAddress();
        return of(b[0], b[1], b[2], b[3]);
    }

    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    /**
     * Parses a strict dotted quad: four decimal numbers 0..255 without signs or leading zeros.
     *
     * @throws IllegalArgumentException when {@code text} is anything else
     */
    public static int parse(String text) {
        int address = 0;
        int parts = 0;
        int i = 0;
        int n = text.length();
        while (parts < 4) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 4 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            // Leading zeros are refused: inet_aton would read them as octal, inet_pton rejects them.
            if (i == start || i - start > 3 || value > 255 || (i - start > 1 && text.charAt(start) == '0')) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            address = (address << 8) | value;
            parts++;
            if (parts < 4) {
                if (i >= n || text.charAt(i) != '.') {
                    throw new IllegalArgumentException("not an IPv4 address: " + text);
                }
                i++;
            }
        }
        if (i != n) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        return address;
    }
}
