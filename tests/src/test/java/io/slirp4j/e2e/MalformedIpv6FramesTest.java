package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile IPv6 frames from the guest, written to the helper through a raw socket on the guest's tap0: truncated and
 * lying headers, extension-header chains that loop, overrun or never end, fragments that overlap or claim to go
 * past 64 KiB, neighbour discovery with zero-length options and the wrong hop limit, and a few thousand seeded
 * mutations of valid packets. Afterwards the helper must still run, answer ping -6 and UDP over IPv6, and must not
 * have printed a stack trace. Everything is addressed inside the virtual network or to documentation prefixes,
 * which lead nowhere from the private host namespace.
 */
class MalformedIpv6FramesTest {
    static final byte[] GW_MAC = Frames.mac("52:56:00:00:00:02");

    static byte[] addr(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static final byte[] GATEWAY = addr("fd00::2");
    static final byte[] ROUTER = addr("fe80::2");

    /** An IPv6 packet: {@code rest} after the fixed header, the upper-layer checksum fixed at {@code csumAt}. */
    static byte[] ipv6(byte[] src, byte[] dst, int next, int hopLimit, byte[] rest, int upperAt, int csumAt) {
        byte[] upper = rest.clone();
        if (csumAt >= 0 && upperAt + csumAt + 1 < upper.length) {
            int proto = upperAt == 0 ? next : upper[upperAt - 8] & 0xFF;
            upper[upperAt + csumAt] = 0;
            upper[upperAt + csumAt + 1] = 0;
            long sum = 0;
            for (int i = 0; i < 16; i += 2) {
                sum += ((src[i] & 0xFF) << 8 | (src[i + 1] & 0xFF)) + ((dst[i] & 0xFF) << 8 | (dst[i + 1] & 0xFF));
            }
            int len = upper.length - upperAt;
            sum += len + proto;
            byte[] tail = Arrays.copyOfRange(upper, upperAt, upper.length);
            int c = ~Frames.sum(tail, 0, tail.length, (int) sum) & 0xFFFF;
            upper[upperAt + csumAt] = (byte) (c >>> 8);
            upper[upperAt + csumAt + 1] = (byte) c;
        }
        ByteBuffer b = ByteBuffer.allocate(40 + upper.length);
        b.putInt(0x6000_0000).putShort((short) upper.length).put((byte) next).put((byte) hopLimit).put(src).put(dst)
            .put(upper);
        return b.array();
    }

    static byte[] eth(byte[] mac, byte[] packet) {
        return Frames.ether(GW_MAC, mac, 0x86dd, packet);
    }

    static byte[] udp(int dport, int length) {
        ByteBuffer b = ByteBuffer.allocate(8 + length);
        b.putShort((short) 40000).putShort((short) dport).putShort((short) (8 + length)).putShort((short) 0);
        return b.array();
    }

    static byte[] icmp(int type, int code, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + body.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).put(body);
        return b.array();
    }

    static byte[] cat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    static List<byte[]> handMade(byte[] mac, byte[] me, byte[] myLl, int port) {
        List<byte[]> l = new ArrayList<>();
        byte[] good = ipv6(me, GATEWAY, 17, 64, udp(port, 16), 0, 6);
        for (int n : new int[] {0, 1, 7, 39, 40, 41, 47}) {
            l.add(eth(mac, Arrays.copyOf(good, n))); // truncated
        }
        byte[] liar = good.clone();
        liar[4] = (byte) 0xFF;
        liar[5] = (byte) 0xFF;
        l.add(eth(mac, liar)); // payload length beyond the frame
        byte[] zero = good.clone();
        zero[4] = 0;
        zero[5] = 0;
        l.add(eth(mac, zero)); // "jumbogram"
        byte[] v5 = good.clone();
        v5[0] = 0x50;
        l.add(eth(mac, v5));
        // extension headers: hop-by-hop not first, a destination-options header pointing at itself eight times,
        // an option running past its header, an unknown option that must be answered, a routing header with
        // segments left, No Next Header with data after it
        byte[] dstopts = {60, 0, 1, 4, 0, 0, 0, 0};
        l.add(eth(mac, ipv6(me, GATEWAY, 60, 64, cat(dstopts, dstopts, dstopts, dstopts, dstopts, dstopts, dstopts,
            dstopts, dstopts, udp(port, 4)), -1, -1)));
        l.add(eth(mac, ipv6(me, GATEWAY, 60, 64, cat(new byte[] {0, 0, 1, 9, 0, 0, 0, 0}, udp(port, 4)), -1, -1)));
        l.add(eth(mac, ipv6(me, GATEWAY, 60, 64, cat(new byte[] {17, 0, (byte) 0x80, 4, 0, 0, 0, 0},
            udp(port, 4)), 8, 6)));
        l.add(eth(mac, ipv6(me, GATEWAY, 43, 64, cat(new byte[] {17, 0, 0, 1, 0, 0, 0, 0}, udp(port, 4)), 8, 6)));
        l.add(eth(mac, ipv6(me, GATEWAY, 60, 64, cat(new byte[] {0, 0, 1, 4, 0, 0, 0, 0}, udp(port, 4)), -1, -1)));
        l.add(eth(mac, ipv6(me, GATEWAY, 59, 64, new byte[64], -1, -1)));
        l.add(eth(mac, ipv6(me, GATEWAY, 60, 64, new byte[] {60, (byte) 200, 1, 4, 0, 0, 0, 0}, -1, -1)));
        // fragments: overlapping, beyond 64 KiB, a non-final one of odd length, a tiny first fragment
        for (int[] f : new int[][] {{0, 1, 1232}, {8, 1, 1232}, {65528, 0, 64}, {0, 1, 13}, {0, 1, 8}, {1232, 0, 9}}) {
            byte[] frag = {17, 0, (byte) (f[0] >>> 8), (byte) ((f[0] & 0xF8) | f[1]), 0, 0, 0x12, 0x34};
            l.add(eth(mac, ipv6(me, GATEWAY, 44, 64, cat(frag, new byte[f[2]]), -1, -1)));
        }
        // neighbour discovery: option length 0, hop limit 64, a router advertisement from the guest, redirect
        byte[] nsZeroOpt = cat(new byte[4], ROUTER, new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
        l.add(eth(mac, ipv6(myLl, addr("ff02::1:ff00:2"), 58, 255, icmp(135, 0, nsZeroOpt), 0, 2)));
        l.add(eth(mac, ipv6(myLl, addr("ff02::1:ff00:2"), 58, 64, icmp(135, 0, cat(new byte[4], ROUTER)), 0, 2)));
        l.add(eth(mac, ipv6(myLl, addr("ff02::1"), 58, 255, icmp(134, 0, new byte[12]), 0, 2)));
        l.add(eth(mac, ipv6(myLl, addr("ff02::1"), 58, 255, icmp(137, 0, new byte[36]), 0, 2)));
        l.add(eth(mac, ipv6(myLl, addr("ff02::1:ff00:2"), 58, 255, icmp(135, 0, cat(new byte[4], addr("ff02::1"))),
            0, 2)));
        // bad checksums, a zero UDP checksum, traffic from another guest's address and to multicast groups
        byte[] badSum = good.clone();
        badSum[40 + 6] ^= 0x55;
        l.add(eth(mac, badSum));
        l.add(eth(mac, ipv6(me, GATEWAY, 17, 64, udp(port, 16), 0, -1)));
        l.add(eth(mac, ipv6(addr("2001:db8::66"), GATEWAY, 17, 64, udp(port, 16), 0, 6)));
        l.add(eth(mac, ipv6(me, addr("ff05::1:3"), 17, 64, udp(547, 16), 0, 6)));
        l.add(eth(mac, ipv6(me, addr("::1"), 17, 64, udp(port, 16), 0, 6)));
        return l;
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void malformedIpv6FramesDoNotHurtTheHelper(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server echo = net.closeLater(Udp.Server.echo(net.hostNetns(), new InetSocketAddress("::1", 0)));
            Helper h = net.startHelper("-c", "--enable-ipv6");
            byte[] me = addr(Ipv6Test.awaitSlaacAddress(net, "fd00::"));
            byte[] mac = MalformedFramesTest.guestMac(net);
            byte[] myLl = addr(linkLocal(net));
            List<byte[]> frames = handMade(mac, me, myLl, echo.port());
            Random rnd = new Random(20261202L);
            List<byte[]> templates = List.of(frames.get(frames.size() - 5), ipv6Ping(mac, me),
                frames.get(frames.size() - 10));
            int sent = 0;
            try (RawFrames raw = RawFrames.open(net.guestNetns(), "tap0")) {
                for (byte[] f : frames) {
                    assertTrue(raw.send(f) != RawFrames.Sent.STALLED, "the helper stopped reading its tap");
                    sent++;
                }
                for (int i = 0; i < 3000; i++) {
                    byte[] f = templates.get(rnd.nextInt(templates.size())).clone();
                    for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                        f[14 + rnd.nextInt(Math.min(f.length - 14, 80))] = (byte) rnd.nextInt(256);
                    }
                    if (rnd.nextInt(4) == 0) {
                        f = Arrays.copyOf(f, 14 + rnd.nextInt(f.length - 13));
                    }
                    assertTrue(raw.send(f) != RawFrames.Sent.STALLED, "the helper stopped reading its tap");
                    sent++;
                }
            }
            TestNetwork.sleep(500);
            assertTrue(h.isAlive(), () -> "helper died on malformed IPv6 frames\n" + h.describe());
            Ipv6Test.ping6(net, "fd00::2");
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                Random payloads = new Random(6);
                Udp.echoLockstep(s, new InetSocketAddress("fd00::2", echo.port()),
                    List.of(Udp.payload(payloads, 10), Udp.payload(payloads, 3000)), Duration.ofSeconds(3));
            }
            h.assertNoStackTrace();
            h.assertHealthy();
            System.out.printf("[%s] injected %d malformed and mutated IPv6 frames%n", mode, sent);
        }
    }

    static byte[] ipv6Ping(byte[] mac, byte[] me) {
        return eth(mac, ipv6(me, GATEWAY, 58, 64, icmp(128, 0, new byte[60]), 0, 2));
    }

    /** The guest's link-local address on tap0. */
    static String linkLocal(TestNetwork net) {
        Cmd.Result r = net.guest("ip", "-6", "-o", "addr", "show", "dev", "tap0", "scope", "link").check();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("inet6 (fe80::[0-9a-f:]+)/").matcher(r.out());
        assertTrue(m.find(), r::describe);
        return m.group(1);
    }
}
