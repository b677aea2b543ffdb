package io.slirp4j.tap;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The network interfaces of the calling thread's network namespace, as getifaddrs(3) lists them (the JDK's
 * NetworkInterface lists IPv4 addresses from SIOCGIFCONF in an order of its own; slirp4netns takes the first
 * address getifaddrs gives, the interface's primary one, and so does this).
 */
public final class Interfaces {
    private Interfaces() {}

    /** Whether an interface of that name exists here. */
    public static boolean exists(String name) {
        return Native.ifNameToIndex(name) > 0;
    }

    /**
     * The addresses of interface {@code name} of one family, primary first; empty for an interface without any
     * (or one that does not exist: see {@link #exists}).
     */
    public static List<InetAddress> addresses(String name, boolean ipv4) throws IOException {
        int[] err = new int[1];
        byte[] packed = Native.interfaceAddresses(name, ipv4 ? LibC.AF_INET : LibC.AF_INET6, err);
        if (packed == null) {
            throw Posix.failure("getifaddrs", err[0] != 0 ? err[0] : -LibC.EINVAL);
        }
        int size = ipv4 ? 4 : 16;
        List<InetAddress> addresses = new ArrayList<>();
        for (int at = 0; at + size <= packed.length; at += size) {
            try {
                addresses.add(InetAddress.getByAddress(Arrays.copyOfRange(packed, at, at + size)));
            } catch (UnknownHostException e) {
                throw new AssertionError(e); // 4 or 16 bytes are always an address
            }
        }
        return addresses;
    }

    /** The first address {@link #addresses} lists, if any. */
    public static Optional<InetAddress> firstAddress(String name, boolean ipv4) throws IOException {
        return addresses(name, ipv4).stream().findFirst();
    }
}
