package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DHCP for guests that do not use {@code -c}: a client written here speaks DISCOVER/OFFER/REQUEST/ACK through a
 * packet socket on the guest's tap0 (no DHCP client package needed); Debian's udhcpc runs too.
 */
class DhcpTest {
    static final int MSG_DISCOVER = 1;
    static final int MSG_OFFER = 2;
    static final int MSG_REQUEST = 3;
    static final int MSG_ACK = 5;

    /** A parsed DHCP reply. */
    record Reply(int type, byte[] yiaddr, Map<Integer, byte[]> options, byte[] frame) {
    }

    static byte[] dhcpFrame(byte[] mac, int xid, int type, boolean broadcastFlag, byte[] requested, byte[] server) {
        ByteBuffer b = ByteBuffer.allocate(300);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) 0);
        b.putShort((short) (broadcastFlag ? 0x8000 : 0));
        b.put(new byte[16]); // ciaddr yiaddr siaddr giaddr
        b.put(mac).put(new byte[10]).put(new byte[64 + 128]);
        b.put(new byte[] {99, (byte) 130, 83, 99});
        b.put(new byte[] {53, 1, (byte) type});
        if (requested != null) {
            b.put((byte) 50).put((byte) 4).put(requested);
        }
        if (server != null) {
            b.put((byte) 54).put((byte) 4).put(server);
        }
        b.put(new byte[] {55, 5, 1, 3, 6, 51, 54});
        b.put((byte) 255);
        byte[] bootp = b.array();
        byte[] any = new byte[4];
        byte[] bcast = Frames.ip("255.255.255.255");
        return Frames.ether(Frames.BROADCAST, mac, Frames.ETH_IPV4, new Frames.Ipv4(Frames.PROTO_UDP, any, bcast,
            Frames.udp(any, bcast, 68, 67, bootp)).bytes());
    }

    /** A DHCP reply (UDP 67 -> 68, BOOTREPLY, our xid) in a frame, or null. */
    static Reply parse(byte[] f, int xid) {
        if (f.length < 14 + 20 + 8 + 240 || f[12] != 0x08 || f[13] != 0 || f[23] != Frames.PROTO_UDP) {
            return null;
        }
        int udp = 14 + (f[14] & 0x0f) * 4;
        ByteBuffer u = ByteBuffer.wrap(f, udp, f.length - udp);
        if ((u.getShort() & 0xffff) != 67 || (u.getShort() & 0xffff) != 68) {
            return null;
        }
        int bootp = udp + 8;
        ByteBuffer m = ByteBuffer.wrap(f, bootp, f.length - bootp);
        if (m.get(bootp) != 2 || m.getInt(bootp + 4) != xid) {
            return null;
        }
        byte[] yiaddr = Arrays.copyOfRange(f, bootp + 16, bootp + 20);
        Map<Integer, byte[]> options = new HashMap<>();
        int i = bootp + 240;
        while (i < f.length) {
            int code = f[i] & 0xff;
            if (code == 255) {
                break;
            }
            if (code == 0) {
                i++;
                continue;
            }
            int len = f[i + 1] & 0xff;
            options.put(code, Arrays.copyOfRange(f, i + 2, i + 2 + len));
            i += 2 + len;
        }
        byte[] type = options.get(53);
        return new Reply(type == null ? -1 : type[0], yiaddr, options, f);
    }

    static Reply exchange(RawFrames tap, byte[] request, int xid, int expectedType) {
        byte[] got = null;
        for (int attempt = 0; attempt < 3 && got == null; attempt++) {
            assertEquals(RawFrames.Sent.SENT, tap.send(request));
            got = tap.receive(Duration.ofSeconds(2), f -> {
                Reply r = parse(f, xid);
                return r != null && r.type() == expectedType;
            });
        }
        assertNotNull(got, "no DHCP reply of type " + expectedType);
        return parse(got, xid);
    }

    static void assertLease(Reply r, String pool, String gateway, String dns) {
        int last = r.yiaddr()[3] & 0xff;
        String yiaddr = (r.yiaddr()[0] & 0xff) + "." + (r.yiaddr()[1] & 0xff) + "." + (r.yiaddr()[2] & 0xff) + "."
            + last;
        assertTrue(yiaddr.startsWith(pool) && last >= 15 && last <= 30, "address outside N+15..N+30: " + yiaddr);
        assertArrayEquals(Frames.ip("255.255.255.0"), r.options().get(1), "subnet mask option");
        assertArrayEquals(Frames.ip(gateway), r.options().get(3), "router option");
        assertArrayEquals(Frames.ip(gateway), r.options().get(54), "server identifier option");
        assertArrayEquals(Frames.ip(dns), r.options().get(6), "DNS option");
        // slirp4netns's leases last 86400 s (libslirp's LEASE_TIME; udhcpc says "lease time 86400")
        assertArrayEquals(new byte[] {0, 1, 0x51, (byte) 0x80}, r.options().get(51), "lease time option");
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void discoverOfferRequestAck(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            net.startHelper();
            net.guest("ip", "link", "set", "tap0", "up").check();
            byte[] mac = MalformedFramesTest.guestMac(net);
            int xid = new Random(1).nextInt();
            try (RawFrames tap = RawFrames.open(net.guestNetns(), "tap0")) {
                Reply offer = exchange(tap, dhcpFrame(mac, xid, MSG_DISCOVER, true, null, null), xid, MSG_OFFER);
                assertLease(offer, "10.0.2.", "10.0.2.2", "10.0.2.3");
                Reply ack = exchange(tap, dhcpFrame(mac, xid, MSG_REQUEST, true, offer.yiaddr(),
                    offer.options().get(54)), xid, MSG_ACK);
                assertArrayEquals(offer.yiaddr(), ack.yiaddr(), "ACK for another address than offered");
                assertLease(ack, "10.0.2.", "10.0.2.2", "10.0.2.3");
                // the same client asking again gets the same address
                Reply again = exchange(tap, dhcpFrame(mac, xid + 1, MSG_DISCOVER, true, null, null), xid + 1,
                    MSG_OFFER);
                assertArrayEquals(offer.yiaddr(), again.yiaddr(), "a second DISCOVER got another address");
            }
        }
    }

    @Test
    void leaseFollowsCidrAndDisableDns() {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            net.startHelper("--cidr", "10.9.8.0/24", "--disable-dns");
            net.guest("ip", "link", "set", "tap0", "up").check();
            byte[] mac = MalformedFramesTest.guestMac(net);
            try (RawFrames tap = RawFrames.open(net.guestNetns(), "tap0")) {
                Reply offer = exchange(tap, dhcpFrame(mac, 4242, MSG_DISCOVER, false, null, null), 4242, MSG_OFFER);
                // slirp4netns --disable-dns still names N+3, which then leads to the host's own N+3
                assertLease(offer, "10.9.8.", "10.9.8.2", "10.9.8.3");
            }
        }
    }

    /** A real client: Debian's udhcpc (busybox's). Skipped locally without it, a failure under CI=true. */
    @Test
    void udhcpcGetsALease() {
        Requirements.require(Requirements.which("udhcpc") != null, "udhcpc is not installed (apt-get install udhcpc)");
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            net.startHelper();
            net.guest("ip", "link", "set", "tap0", "up").check();
            Cmd.Result r = net.guest(Duration.ofSeconds(30), "udhcpc", "-i", "tap0", "-n", "-q", "-f",
                "-t", "3", "-T", "2", "-s", "/bin/true");
            assertEquals(0, r.exit(), r::describe);
            assertTrue((r.out() + r.err()).matches(
                "(?s).*lease of 10\\.0\\.2\\.(1[5-9]|2[0-9]|30) obtained from 10\\.0\\.2\\.2, lease time 86400.*"),
                r::describe);
        }
    }
}
