package io.slirp4j.tap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code -c}: brings up lo and the tap (flags exactly UP and RUNNING, as slirp4netns sets them), sets MTU and
 * (optionally) MAC, gives the tap its address and netmask and adds the default route via the gateway. Uses the
 * same ioctls as slirp4netns on an AF_INET socket, which must have been created inside the target netns
 * ({@link Namespaces#openInTarget}); they act on that netns's interfaces.
 */
public final class InterfaceConfigurator {
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCSIFADDR = 0x8916;
    static final long SIOCSIFNETMASK = 0x891C;
    static final long SIOCSIFMTU = 0x8922;
    static final long SIOCSIFHWADDR = 0x8924;
    static final short IFF_UP = 0x1;
    static final short IFF_RUNNING = 0x40;
    static final short ARPHRD_ETHER = 1;

    private InterfaceConfigurator() {}

    /**
     * @param address  the guest address (big-endian int), e.g. 10.0.2.100, or 0 for none (IPv6 only)
     * @param netmask  e.g. 255.255.255.0
     * @param gateway  e.g. 10.0.2.2, or 0 for no default route (the caller adds it otherwise)
     * @param mac      6 bytes, or null to keep the kernel's random one
     */
    public static void configure(int sock, String tap, int mtu, byte[] mac, int address, int netmask, int gateway)
        throws IOException {
        setUp(sock, "lo", "cannot set lo up");

        byte[] ifr = TunDevice.ifreq(tap);
        TunDevice.ifreqData(ifr).putInt(mtu);
        Posix.check(Native.ioctl(sock, SIOCSIFMTU, ifr), "cannot set MTU");

        if (mac != null) {
            ifr = TunDevice.ifreq(tap);
            TunDevice.ifreqData(ifr).putShort(ARPHRD_ETHER).put(mac, 0, 6);
            Posix.check(Native.ioctl(sock, SIOCSIFHWADDR, ifr), "cannot set MAC address");
        }

        if (address != 0) {
            ifr = TunDevice.ifreq(tap);
            putSockaddrIn(TunDevice.ifreqData(ifr), address);
            Posix.check(Native.ioctl(sock, SIOCSIFADDR, ifr), "cannot set device address");

            ifr = TunDevice.ifreq(tap);
            putSockaddrIn(TunDevice.ifreqData(ifr), netmask);
            Posix.check(Native.ioctl(sock, SIOCSIFNETMASK, ifr), "cannot set device netmask");
        }

        setUp(sock, tap, "cannot set device up");

        if (gateway != 0) {
            Posix.check(Native.addDefaultRoute(sock, tap, gateway), "set route");
        }
    }

    /**
     * Sets the flags to exactly {@code IFF_UP | IFF_RUNNING}, as slirp4netns does for lo and the tap (rather than
     * adding those two to the current flags). The kernel keeps the flags it owns (BROADCAST, LOOPBACK, LOWER_UP,
     * ...) and clears the changeable ones that were set, MULTICAST above all: the tap shows
     * {@code <BROADCAST,UP,LOWER_UP>}, exactly as under slirp4netns. The stack drops multicast from the guest
     * anyway, so the flag promised nothing.
     */
    private static void setUp(int sock, String name, String what) throws IOException {
        byte[] ifr = TunDevice.ifreq(name);
        TunDevice.ifreqData(ifr).putShort((short) (IFF_UP | IFF_RUNNING));
        Posix.check(Native.ioctl(sock, SIOCSIFFLAGS, ifr), what);
    }

    /** A {@code struct sockaddr_in} (family in host order, port 0, address in network order) at the position. */
    private static void putSockaddrIn(ByteBuffer b, int address) {
        b.putShort((short) LibC.AF_INET).putShort((short) 0).order(ByteOrder.BIG_ENDIAN).putInt(address);
    }
}
