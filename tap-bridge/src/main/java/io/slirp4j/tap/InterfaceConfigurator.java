package io.slirp4j.tap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * {@code -c}: brings up lo and the tap, sets MTU and (optionally) MAC, gives the tap its address and netmask and
 * adds the default route via the gateway. Uses the same ioctls as slirp4netns on an AF_INET socket, which must be
 * created inside the target netns: call on the thread switched there.
 */
public final class InterfaceConfigurator {
    static final long SIOCADDRT = 0x890B;
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCSIFADDR = 0x8916;
    static final long SIOCSIFNETMASK = 0x891C;
    static final long SIOCSIFMTU = 0x8922;
    static final long SIOCSIFHWADDR = 0x8924;
    static final short IFF_UP = 0x1;
    static final short IFF_RUNNING = 0x40;
    static final short RTF_UP = 0x1;
    static final short RTF_GATEWAY = 0x2;
    static final short ARPHRD_ETHER = 1;
    static final int RTENTRY_SIZE = 120;

    private InterfaceConfigurator() {}

    /**
     * @param address  the guest address (big-endian int), e.g. 10.0.2.100
     * @param netmask  e.g. 255.255.255.0
     * @param gateway  e.g. 10.0.2.2
     * @param mac      6 bytes, or null to keep the kernel's random one
     */
    public static void configure(String tap, int mtu, byte[] mac, int address, int netmask, int gateway)
        throws IOException {
        LibC libc = Posix.libc();
        int sock = Posix.check(libc.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0),
            "cannot create socket");
        try {
            setUp(sock, "lo", "cannot set lo up");

            Pointer ifr = TunDevice.ifreq(tap);
            ifr.putInt(TunDevice.IFNAMSIZ, mtu);
            Posix.check(libc.ioctl(sock, SIOCSIFMTU, ifr), "cannot set MTU");

            if (mac != null) {
                ifr = TunDevice.ifreq(tap);
                ifr.putShort(TunDevice.IFNAMSIZ, ARPHRD_ETHER);
                ifr.put(TunDevice.IFNAMSIZ + 2, mac, 0, 6);
                Posix.check(libc.ioctl(sock, SIOCSIFHWADDR, ifr), "cannot set MAC address");
            }

            ifr = TunDevice.ifreq(tap);
            putSockaddrIn(ifr, TunDevice.IFNAMSIZ, address);
            Posix.check(libc.ioctl(sock, SIOCSIFADDR, ifr), "cannot set device address");

            ifr = TunDevice.ifreq(tap);
            putSockaddrIn(ifr, TunDevice.IFNAMSIZ, netmask);
            Posix.check(libc.ioctl(sock, SIOCSIFNETMASK, ifr), "cannot set device netmask");

            setUp(sock, tap, "cannot set device up");

            Pointer route = Memory.allocateDirect(LibC.Holder.RUNTIME, RTENTRY_SIZE, true);
            putSockaddrIn(route, 8, 0);        // rt_dst: 0.0.0.0
            putSockaddrIn(route, 24, gateway); // rt_gateway
            putSockaddrIn(route, 40, 0);       // rt_genmask: 0.0.0.0
            route.putShort(56, (short) (RTF_UP | RTF_GATEWAY));
            byte[] dev = (tap + "\0").getBytes(StandardCharsets.UTF_8);
            Pointer devName = Memory.allocateDirect(LibC.Holder.RUNTIME, dev.length, true);
            devName.put(0, dev, 0, dev.length);
            route.putAddress(88, devName.address()); // rt_dev
            Posix.check(libc.ioctl(sock, SIOCADDRT, route), "set route");
        } finally {
            libc.close(sock);
        }
    }

    private static void setUp(int sock, String name, String what) throws IOException {
        Pointer ifr = TunDevice.ifreq(name);
        Posix.check(Posix.libc().ioctl(sock, SIOCGIFFLAGS, ifr), what);
        ifr.putShort(TunDevice.IFNAMSIZ, (short) (ifr.getShort(TunDevice.IFNAMSIZ) | IFF_UP | IFF_RUNNING));
        Posix.check(Posix.libc().ioctl(sock, SIOCSIFFLAGS, ifr), what);
    }

    /** A {@code struct sockaddr_in} (family in host order, address in network order) at {@code offset}. */
    private static void putSockaddrIn(Pointer p, int offset, int address) {
        p.putShort(offset, (short) LibC.AF_INET);
        p.putByte(offset + 4, (byte) (address >>> 24));
        p.putByte(offset + 5, (byte) (address >>> 16));
        p.putByte(offset + 6, (byte) (address >>> 8));
        p.putByte(offset + 7, (byte) address);
    }
}
