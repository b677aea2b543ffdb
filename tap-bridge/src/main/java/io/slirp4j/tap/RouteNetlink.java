package io.slirp4j.tap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The rtnetlink requests the configuration needs beyond slirp4netns's ioctls. For pasta's {@code --config-net} and
 * IPv6: an address with its prefix length and without duplicate address detection (IFA_F_NODAD, as pasta adds it: a
 * tentative address cannot be a source for a second or so, and the engine reads the addresses the moment pasta
 * exits), and routes through a gateway. For every {@code -c}: the tap's queue length ({@link #TAP_QUEUE_LENGTH}),
 * which the SIOCSIFTXQLEN ioctl may not set inside a user namespace (EPERM) while rtnetlink may. Sent on a
 * NETLINK_ROUTE socket made in the target namespace ({@link Namespaces#openInTarget}), one request at a time, each
 * acknowledged. The message builders are pure.
 */
public final class RouteNetlink {
    static final int NLMSG_HEADER = 16;
    static final int NLMSG_ERROR = 2;
    static final int RTM_SETLINK = 19;
    static final int RTM_NEWADDR = 20;
    static final int RTM_NEWROUTE = 24;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    /** rtm_flags: the gateway is on the link even though no prefix of the interface holds it. */
    static final int RTNH_F_ONLINK = 0x4;
    static final int IFLA_TXQLEN = 13;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_FLAGS = 8;
    static final int IFA_F_NODAD = 0x02;
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RT_TABLE_MAIN = 254;
    static final int RTPROT_BOOT = 3;
    static final int RT_SCOPE_UNIVERSE = 0;
    static final int RTN_UNICAST = 1;
    static final long SIOCGIFINDEX = 0x8933;
    /**
     * Frames the guest may queue on the tap for the helper to read. The kernel's default, 1000, drops frames as soon
     * as a few hundred of the guest's connections send a burst each while the helper is busy for a moment: 2,000
     * connections filling at once lost 60,000 frames in 15 s, and with them the SYNs and segments of the guest's
     * other connections, which then waited out retransmission timeouts. With 10,000 the same flood lost none.
     * Memory stays bounded by the guest's socket buffers, which the queued frames are charged to.
     */
    public static final int TAP_QUEUE_LENGTH = 10_000;

    private RouteNetlink() {}

    /** Sets the transmit queue length of interface {@code ifindex}. */
    static byte[] setQueueLength(int seq, int ifindex, int length) {
        ByteBuffer b = message(RTM_SETLINK, seq, 16 + 8, NLM_F_REQUEST | NLM_F_ACK);
        b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(ifindex).putInt(0).putInt(0);
        b.putShort((short) 8).putShort((short) IFLA_TXQLEN).putInt(length);
        return b.array();
    }

    /** Gives interface {@code ifindex} the IPv6 address (16 bytes) with its prefix length, without DAD. */
    static byte[] newAddress6(int seq, int ifindex, byte[] address, int prefixLength) {
        ByteBuffer b = message(RTM_NEWADDR, seq, 8 + 2 * 20 + 8);
        b.put((byte) AF_INET6).put((byte) prefixLength).put((byte) 0).put((byte) RT_SCOPE_UNIVERSE).putInt(ifindex);
        attribute(b, IFA_LOCAL, address);
        attribute(b, IFA_ADDRESS, address);
        b.putShort((short) 8).putShort((short) IFA_FLAGS).putInt(IFA_F_NODAD);
        return b.array();
    }

    /** The IPv6 default route through {@code gateway} (16 bytes) out of interface {@code ifindex}. */
    static byte[] newDefaultRoute6(int seq, int ifindex, byte[] gateway) {
        return newDefaultRoute(seq, ifindex, gateway, false);
    }

    /**
     * The default route of the gateway's family (4 or 16 bytes) out of interface {@code ifindex}; {@code onLink}: the
     * gateway is reached on the link though outside the interface's prefix (a host's /32 address with its gateway
     * elsewhere, which pasta copies as it is).
     */
    static byte[] newDefaultRoute(int seq, int ifindex, byte[] gateway, boolean onLink) {
        return newRoute(seq, ifindex, null, 0, gateway, onLink);
    }

    /** A route to {@code destination}/{@code prefixLength} (null, 0: the default) through {@code gateway}. */
    static byte[] newRoute(int seq, int ifindex, byte[] destination, int prefixLength, byte[] gateway,
        boolean onLink) {
        int dst = destination == null ? 0 : 4 + destination.length;
        ByteBuffer b = message(RTM_NEWROUTE, seq, 12 + dst + 4 + gateway.length + 8);
        b.put((byte) (gateway.length == 4 ? AF_INET : AF_INET6)).put((byte) prefixLength).put((byte) 0)
            .put((byte) 0).put((byte) RT_TABLE_MAIN).put((byte) RTPROT_BOOT).put((byte) RT_SCOPE_UNIVERSE)
            .put((byte) RTN_UNICAST).putInt(onLink ? RTNH_F_ONLINK : 0);
        if (destination != null) {
            attribute(b, RTA_DST, destination);
        }
        attribute(b, RTA_GATEWAY, gateway);
        b.putShort((short) 8).putShort((short) RTA_OIF).putInt(ifindex);
        return b.array();
    }

    /**
     * The error an acknowledgement carries (0: done, else a positive errno), or -1 if {@code reply} is not the
     * acknowledgement of request {@code seq}.
     */
    static int acknowledgement(byte[] reply, int length, int seq) {
        if (length < NLMSG_HEADER + 4) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(reply, 0, length).order(ByteOrder.nativeOrder());
        int type = b.getShort(4) & 0xFFFF;
        if (type != NLMSG_ERROR || b.getInt(8) != seq) {
            return -1;
        }
        return -b.getInt(NLMSG_HEADER);
    }

    /**
     * Configures the tap's IPv6 address and default route (see the class comment); a gateway outside the prefix is
     * on the link all the same.
     */
    public static void configure6(int sock, int netlink, String tap, byte[] address, int prefixLength, byte[] gateway)
        throws IOException {
        int ifindex = ifindex(sock, tap);
        request(netlink, newAddress6(1, ifindex, address, prefixLength), 1, "cannot set the IPv6 address");
        if (gateway != null) {
            request(netlink, newDefaultRoute(2, ifindex, gateway, !samePrefix(address, gateway, prefixLength)), 2,
                "cannot set the IPv6 default route");
        }
    }

    /** Gives {@code tap} the queue length {@link #TAP_QUEUE_LENGTH}. */
    public static void setTapQueueLength(int sock, int netlink, String tap) throws IOException {
        request(netlink, setQueueLength(4, ifindex(sock, tap), TAP_QUEUE_LENGTH), 4, "cannot set the queue length");
    }

    /**
     * The IPv4 default route through {@code gateway} (4 bytes), on the link: for a gateway outside the interface's
     * prefix, which the ioctl route of slirp4netns's {@code -c} refuses (ENETUNREACH).
     */
    public static void defaultRouteOnLink4(int sock, int netlink, String tap, byte[] gateway) throws IOException {
        request(netlink, newDefaultRoute(3, ifindex(sock, tap), gateway, true), 3, "set route");
    }

    /**
     * The host's other routes through a gateway, copied as pasta copies them (on the link: their gateways are the
     * host's neighbours, whatever prefix the guest holds); a route the kernel refuses is left out, as the guest can
     * still reach those destinations through its default route.
     */
    public static void copyRoutes(int sock, int netlink, String tap, List<HostRoutes.Route> routes) throws IOException {
        if (routes.isEmpty()) {
            return;
        }
        int ifindex = ifindex(sock, tap);
        int seq = 10;
        for (HostRoutes.Route r : routes) {
            seq++;
            byte[] message = newRoute(seq, ifindex, r.destination().getAddress(), r.prefixLength(),
                r.gateway().getAddress(), true);
            try {
                request(netlink, message, seq, "cannot copy the route to " + r.destination().getHostAddress());
            } catch (ErrnoException e) {
                // an overlapping or odd route of the host's: the default route still covers it
            }
        }
    }

    /** Whether two addresses of one family share their first {@code prefixLength} bits. */
    static boolean samePrefix(byte[] a, byte[] b, int prefixLength) {
        for (int bit = 0; bit < prefixLength; bit++) {
            int mask = 0x80 >>> (bit & 7);
            if ((a[bit >> 3] & mask) != (b[bit >> 3] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static int ifindex(int sock, String tap) throws IOException {
        byte[] ifr = TunDevice.ifreq(tap);
        Posix.check(Native.ioctl(sock, SIOCGIFINDEX, ifr), "cannot find " + tap);
        return TunDevice.ifreqData(ifr).getInt();
    }

    private static void request(int netlink, byte[] message, int seq, String what) throws IOException {
        Posix.check(Native.write(netlink, message, 0, message.length), what);
        byte[] reply = new byte[4096];
        while (true) {
            int n = Native.read(netlink, reply, 0, reply.length);
            if (n == -LibC.EINTR) {
                continue;
            }
            Posix.check(n, what);
            int error = acknowledgement(reply, n, seq);
            if (error == 0) {
                return;
            }
            if (error > 0) {
                throw Posix.failure(what, -error);
            }
        }
    }

    /** A request that creates something (an address, a route), refusing to replace what exists. */
    private static ByteBuffer message(int type, int seq, int payload) {
        return message(type, seq, payload, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    }

    private static ByteBuffer message(int type, int seq, int payload, int flags) {
        ByteBuffer b = ByteBuffer.allocate(NLMSG_HEADER + payload).order(ByteOrder.nativeOrder());
        b.putInt(NLMSG_HEADER + payload).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        return b;
    }

    private static void attribute(ByteBuffer b, int type, byte[] value) {
        b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
    }
}
