package io.slirp4j.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The rtnetlink requests byte by byte, as iproute2's `ip -6 addr add … nodad` and `ip -6 route add default via` send them. */
class RouteNetlinkTest {
    static final byte[] ADDRESS = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    static final byte[] GATEWAY = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    @Test
    void queueLengthIsASetLinkWithTxqlen() {
        byte[] m = RouteNetlink.setQueueLength(4, 3, 10_000);
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertEquals(40, m.length);
        assertEquals(m.length, b.getInt(0));
        assertEquals(RouteNetlink.RTM_SETLINK, b.getShort(4));
        assertEquals(0x5, b.getShort(6), "request, ack: nothing created");
        assertEquals(4, b.getInt(8));
        assertEquals(0, m[16], "AF_UNSPEC");
        assertEquals(3, b.getInt(20), "ifindex");
        assertEquals(0, b.getInt(28), "change mask: no flags");
        assertEquals(8, b.getShort(32));
        assertEquals(RouteNetlink.IFLA_TXQLEN, b.getShort(34));
        assertEquals(10_000, b.getInt(36));
    }

    @Test
    void anAddressWithoutDuplicateDetection() {
        byte[] m = RouteNetlink.newAddress6(7, 3, ADDRESS, 64);
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertEquals(m.length, b.getInt(0));
        assertEquals(72, m.length);
        assertEquals(RouteNetlink.RTM_NEWADDR, b.getShort(4));
        assertEquals(0x605, b.getShort(6), "request, ack, create, excl");
        assertEquals(7, b.getInt(8));
        assertEquals(10, m[16], "AF_INET6");
        assertEquals(64, m[17]);
        assertEquals(3, b.getInt(20), "ifindex");
        assertEquals(20, b.getShort(24));
        assertEquals(RouteNetlink.IFA_LOCAL, b.getShort(26));
        assertEquals(0x20, m[28]);
        assertEquals(RouteNetlink.IFA_ADDRESS, b.getShort(46));
        assertEquals(RouteNetlink.IFA_FLAGS, b.getShort(66));
        assertEquals(RouteNetlink.IFA_F_NODAD, b.getInt(68));
    }

    @Test
    void aDefaultRouteThroughTheGateway() {
        byte[] m = RouteNetlink.newDefaultRoute6(8, 3, GATEWAY);
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertEquals(56, m.length);
        assertEquals(RouteNetlink.RTM_NEWROUTE, b.getShort(4));
        assertEquals(10, m[16]);
        assertEquals(0, m[17], "dst_len 0: the default route");
        assertEquals((byte) 254, m[20], "main table");
        assertEquals(1, m[23], "unicast");
        assertEquals(RouteNetlink.RTA_GATEWAY, b.getShort(30));
        assertEquals(1, m[47]);
        assertEquals(RouteNetlink.RTA_OIF, b.getShort(50));
        assertEquals(3, b.getInt(52));
    }

    @Test
    void anIpv4DefaultRouteOnTheLink() {
        byte[] m = RouteNetlink.newDefaultRoute(9, 4, new byte[] {(byte) 192, 0, 2, 1}, true);
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertEquals(44, m.length);
        assertEquals(2, m[16], "AF_INET");
        assertEquals(RouteNetlink.RTNH_F_ONLINK, b.getInt(24));
        assertEquals(8, b.getShort(28));
        assertEquals(RouteNetlink.RTA_GATEWAY, b.getShort(30));
        assertEquals((byte) 192, m[32]);
        assertEquals(RouteNetlink.RTA_OIF, b.getShort(38));
        assertEquals(4, b.getInt(40));
    }

    @Test
    void prefixes() {
        assertEquals(true, RouteNetlink.samePrefix(ADDRESS, GATEWAY, 64));
        assertEquals(false, RouteNetlink.samePrefix(ADDRESS, GATEWAY, 128));
        assertEquals(true, RouteNetlink.samePrefix(ADDRESS, GATEWAY, 126));
        assertEquals(false, RouteNetlink.samePrefix(ADDRESS, GATEWAY, 127));
    }

    /** Any reply, of any length: an error number, or -1 for not the acknowledgement; never an exception. */
    @Test
    void anyReplyIsReadSafely() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int i = 0; i < 20_000; i++) {
            byte[] reply = new byte[random.nextInt(0, 64)];
            for (int j = 0; j < reply.length; j++) {
                reply[j] = (byte) random.nextInt(256);
            }
            RouteNetlink.acknowledgement(reply, reply.length, random.nextInt(4));
        }
    }

    @Test
    void acknowledgements() {
        ByteBuffer ack = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        ack.putInt(36).putShort((short) 2).putShort((short) 0).putInt(5).putInt(0).putInt(-17);
        assertEquals(17, RouteNetlink.acknowledgement(ack.array(), 36, 5), "EEXIST");
        assertEquals(-1, RouteNetlink.acknowledgement(ack.array(), 36, 6), "another request's");
        ack.putInt(16, 0);
        assertEquals(0, RouteNetlink.acknowledgement(ack.array(), 36, 5));
        assertEquals(-1, RouteNetlink.acknowledgement(ack.array(), 10, 5), "short");
    }
}
