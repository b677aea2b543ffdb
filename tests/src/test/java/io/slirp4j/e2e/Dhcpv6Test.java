package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stateless DHCPv6 end to end: a client in the guest's namespace, bound to the guest kernel's link-local address on
 * tap0 and port 546 as a DHCPv6 client is, multicasts an Information-Request to all-DHCP-agents ff02::1:2 port 547
 * and gets a Reply from fe80::2 naming fd00::3 as its DNS server. (Debian's busybox has no udhcpc6, and no other
 * DHCPv6 client is installed here, so the client is these few lines: the guest kernel's IPv6, MLD-free multicast
 * and link-local scoping are what is real.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Dhcpv6Test {
    static final int XID = 0x5A17C6;
    static final byte[] CLIENT_DUID = {0, 3, 0, 1, 2, 0, 0, 0, 0x13, 0x37};

    /** The guest's link-local address on tap0 (once out of duplicate address detection), scoped to tap0. */
    static Inet6Address awaitLinkLocal(TestNetwork net) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Cmd.Result last = null;
        while (System.nanoTime() < deadline) {
            last = net.guest("ip", "-6", "-o", "addr", "show", "dev", "tap0", "scope", "link");
            for (String line : last.out().lines().toList()) {
                String[] words = line.trim().split("\\s+");
                if (words.length > 3 && words[2].equals("inet6") && !line.contains("tentative")) {
                    int index = Integer.parseInt(words[0].substring(0, words[0].length() - 1));
                    String address = words[3].substring(0, words[3].indexOf('/'));
                    return Inet6Address.getByAddress(null, InetAddress.getByName(address).getAddress(), index);
                }
            }
            TestNetwork.sleep(200);
        }
        throw new AssertionError("no link-local address on the guest's tap0:\n" + (last == null ? "" : last.describe()));
    }

    static byte[] option(int code, byte[] value) {
        return ByteBuffer.allocate(4 + value.length).putShort((short) code).putShort((short) value.length).put(value)
            .array();
    }

    static byte[] informationRequest() {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {11, (byte) (XID >>> 16), (byte) (XID >>> 8), (byte) XID});
        m.writeBytes(option(1, CLIENT_DUID));
        m.writeBytes(option(6, new byte[] {0, 23, 0, 24}));
        m.writeBytes(option(8, new byte[2]));
        return m.toByteArray();
    }

    static Map<Integer, byte[]> options(byte[] m) {
        Map<Integer, byte[]> all = new LinkedHashMap<>();
        for (int at = 4; at + 4 <= m.length; ) {
            int code = ((m[at] & 0xFF) << 8) | (m[at + 1] & 0xFF);
            int len = ((m[at + 2] & 0xFF) << 8) | (m[at + 3] & 0xFF);
            all.put(code, Arrays.copyOfRange(m, at + 4, at + 4 + len));
            at += 4 + len;
        }
        return all;
    }

    /** Sends an Information-Request as the guest's DHCPv6 client and returns the answer (null: none in 5 s). */
    static DatagramPacket ask(TestNetwork net) throws Exception {
        Inet6Address linkLocal = awaitLinkLocal(net);
        InetAddress agents = Inet6Address.getByAddress(null, InetAddress.getByName("ff02::1:2").getAddress(),
            linkLocal.getScopeId());
        try (DatagramSocket client = TestNetwork.in(net.guestNetns(),
            () -> new DatagramSocket(new InetSocketAddress(linkLocal, 546)))) {
            byte[] request = informationRequest();
            for (int attempt = 0; attempt < 3; attempt++) {
                client.send(new DatagramPacket(request, request.length, new InetSocketAddress(agents, 547)));
                DatagramPacket reply = Udp.receive(client, Duration.ofSeconds(2));
                if (reply != null) {
                    return reply;
                }
            }
            return null;
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void theGuestAsksAndIsToldTheDnsAddress(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Helper h = net.startHelper("-c", "--enable-ipv6");
            DatagramPacket reply = ask(net);
            assertNotNull(reply, () -> "no DHCPv6 reply\n" + h.describe());
            assertEquals(InetAddress.getByName("fe80::2"),
                InetAddress.getByAddress(((Inet6Address) reply.getAddress()).getAddress()), "from the router");
            assertEquals(547, reply.getPort());
            byte[] m = Arrays.copyOfRange(reply.getData(), reply.getOffset(), reply.getOffset() + reply.getLength());
            assertEquals(7, m[0], "a Reply");
            assertEquals(XID, ByteBuffer.wrap(m).getInt() & 0xFF_FFFF, "to our transaction");
            Map<Integer, byte[]> options = options(m);
            assertArrayEquals(new byte[] {0, 3, 0, 1, 0x52, 0x56, 0, 0, 0, 2}, options.get(2),
                "server id: DUID-LL of 52:56:00:00:00:02");
            assertArrayEquals(CLIENT_DUID, options.get(1), "our client id, echoed");
            assertArrayEquals(InetAddress.getByName(Ipv6Test.DNS).getAddress(), options.get(23), "DNS server fd00::3");
            assertEquals(3, options.size(), () -> "server id, client id, DNS servers: " + options.keySet());
            h.assertHealthy();
        }
    }

    @Test
    void withDnsDisabledTheReplyNamesNoServer() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            net.startHelper("-c", "--enable-ipv6", "--disable-dns");
            DatagramPacket reply = ask(net);
            assertNotNull(reply);
            Map<Integer, byte[]> options = options(Arrays.copyOfRange(reply.getData(), reply.getOffset(),
                reply.getOffset() + reply.getLength()));
            assertNull(options.get(23));
            assertTrue(options.containsKey(1) && options.containsKey(2), options::toString);
        }
    }
}
