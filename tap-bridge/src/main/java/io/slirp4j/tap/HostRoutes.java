package io.slirp4j.tap;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's routes and addresses as pasta copies them into the namespace: the interface of the default route (of
 * each family, or the one {@code -i} names), its first global address with the prefix length, and the default
 * route's gateway. Read from the kernel's text tables ({@code /proc/net/route}, {@code /proc/net/ipv6_route}) and
 * {@link NetworkInterface}, in the helper's own network namespace, before it joins the target: no netlink needed.
 * The parsers are pure and take the tables' text, so that tests feed them any host.
 */
public final class HostRoutes {
    static final int RTF_UP = 0x1;
    static final int RTF_GATEWAY = 0x2;

    /** A default route: the interface it leaves by and the gateway (null for an on-link default route). */
    public record DefaultRoute(String iface, InetAddress gateway, long metric) {}

    /** An address of an interface with its prefix length. */
    public record Address(InetAddress address, int prefixLength) {}

    /** A route through a gateway to a prefix other than the default one (pasta copies these too). */
    public record Route(InetAddress destination, int prefixLength, InetAddress gateway) {}

    private HostRoutes() {}

    /** The IPv4 default route with the lowest metric (the first of equals), or null. */
    public static DefaultRoute defaultRoute4(String procNetRoute, String onlyIface) {
        DefaultRoute best = null;
        String[] lines = procNetRoute.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            try {
                int destination = (int) Long.parseLong(f[1], 16);
                int gateway = Integer.reverseBytes((int) Long.parseLong(f[2], 16));
                int flags = Integer.parseInt(f[3], 16);
                long metric = Long.parseLong(f[6]);
                int mask = (int) Long.parseLong(f[7], 16);
                if (destination != 0 || mask != 0 || (flags & RTF_UP) == 0
                    || (onlyIface != null && !onlyIface.equals(f[0]))) {
                    continue;
                }
                InetAddress via = (flags & RTF_GATEWAY) != 0 ? ipv4(gateway) : null;
                if (best == null || metric < best.metric()) {
                    best = new DefaultRoute(f[0], via, metric);
                }
            } catch (NumberFormatException e) {
                // not a route line: skip it
            }
        }
        return best;
    }

    /** The IPv6 default route (::/0) with the lowest metric, or null. */
    public static DefaultRoute defaultRoute6(String procNetIpv6Route, String onlyIface) {
        DefaultRoute best = null;
        for (String line : procNetIpv6Route.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || f[0].length() != 32 || f[4].length() != 32) {
                continue;
            }
            try {
                int prefixLength = Integer.parseInt(f[1], 16);
                long metric = Long.parseLong(f[5], 16);
                int flags = (int) Long.parseLong(f[8], 16);
                if (prefixLength != 0 || !f[0].equals("0".repeat(32)) || (flags & RTF_UP) == 0 || f[9].equals("lo")
                    || (onlyIface != null && !onlyIface.equals(f[9]))) {
                    continue;
                }
                InetAddress via = f[4].equals("0".repeat(32)) ? null : ipv6(f[4]);
                if (best == null || metric < best.metric()) {
                    best = new DefaultRoute(f[9], via, metric);
                }
            } catch (NumberFormatException e) {
                // not a route line: skip it
            }
        }
        return best;
    }

    /** The IPv4 routes of {@code iface} through a gateway, but the default one, in the table's order. */
    public static List<Route> gatewayRoutes4(String procNetRoute, String iface) {
        List<Route> routes = new ArrayList<>();
        String[] lines = procNetRoute.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 8 || !f[0].equals(iface)) {
                continue;
            }
            try {
                int destination = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
                int gateway = Integer.reverseBytes((int) Long.parseLong(f[2], 16));
                int flags = Integer.parseInt(f[3], 16);
                int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
                int prefix = Integer.bitCount(mask);
                if ((flags & (RTF_UP | RTF_GATEWAY)) != (RTF_UP | RTF_GATEWAY) || prefix == 0
                    || mask != (prefix == 0 ? 0 : -1 << (32 - prefix))) {
                    continue;
                }
                routes.add(new Route(ipv4(destination), prefix, ipv4(gateway)));
            } catch (NumberFormatException e) {
                // not a route line: skip it
            }
        }
        return routes;
    }

    /** The IPv6 routes of {@code iface} through a gateway, but the default one, in the table's order. */
    public static List<Route> gatewayRoutes6(String procNetIpv6Route, String iface) {
        List<Route> routes = new ArrayList<>();
        for (String line : procNetIpv6Route.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || f[0].length() != 32 || f[4].length() != 32 || !f[9].equals(iface)) {
                continue;
            }
            try {
                int prefixLength = Integer.parseInt(f[1], 16);
                int flags = (int) Long.parseLong(f[8], 16);
                if ((flags & (RTF_UP | RTF_GATEWAY)) != (RTF_UP | RTF_GATEWAY) || prefixLength == 0
                    || prefixLength > 128) {
                    continue;
                }
                routes.add(new Route(ipv6(f[0]), prefixLength, ipv6(f[4])));
            } catch (NumberFormatException e) {
                // not a route line: skip it
            }
        }
        return routes;
    }

    /** Reads a table of the helper's own namespace; a missing one (no IPv6 in this kernel) reads as empty. */
    public static String table(Path path) throws IOException {
        try {
            return Files.readString(path);
        } catch (NoSuchFileException e) {
            return "";
        }
    }

    /**
     * The interface's addresses of one family that pasta would copy: global scope (no loopback, link-local or
     * multicast), in the kernel's order.
     */
    public static List<Address> addresses(String iface, boolean ipv4) throws IOException {
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByName(iface);
        } catch (SocketException e) {
            throw new IOException("cannot read the addresses of " + iface + ": " + e.getMessage(), e);
        }
        if (nif == null) {
            throw new IOException("no interface " + iface);
        }
        List<Address> found = new ArrayList<>();
        for (InterfaceAddress a : nif.getInterfaceAddresses()) {
            InetAddress address = a.getAddress();
            boolean family = ipv4 ? address instanceof Inet4Address : address instanceof Inet6Address;
            if (family && !address.isLoopbackAddress() && !address.isLinkLocalAddress()
                && !address.isMulticastAddress()) {
                found.add(new Address(address, a.getNetworkPrefixLength()));
            }
        }
        return found;
    }

    private static InetAddress ipv4(int address) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (address >>> 24), (byte) (address >>> 16),
                (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress ipv6(String hex) {
        byte[] bytes = new byte[16];
        for (int i = 0; i < 16; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
