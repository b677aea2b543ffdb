package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile frames from the guest: a raw AF_PACKET socket bound to the guest's tap0 writes hand-made malformed
 * frames (and a few thousand seeded random mutations of valid ones) straight to the helper. Afterwards the helper
 * must still be running, still answer ping, UDP and DNS, and must not have printed a stack trace.
 *
 * <p>Everything the guest sends here is addressed to the helper's virtual network; a mutated destination can only
 * lead to the private host namespace, which has no route anywhere.
 */
class MalformedFramesTest {
    static final byte[] GW_MAC = Frames.mac("52:55:0a:00:02:02");
    static final byte[] GUEST_IP = Frames.ip("10.0.2.100");
    static final byte[] GW_IP = Frames.ip("10.0.2.2");
    static final byte[] DNS_IP = Frames.ip("10.0.2.3");

    record Named(String name, byte[] frame) {
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void malformedFramesDoNotHurtTheHelper(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server echo = net.closeLater(Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            Udp.Server dns = net.closeLater(Dns.responder(net.hostNetns(), new InetSocketAddress("127.0.0.1", 53),
                Frames.ip("198.51.100.77"), false));
            Helper h = net.startHelper("-c");
            Checks.ping(net, "10.0.2.2"); // the guest's ARP entry exists, the path works
            byte[] guestMac = guestMac(net);
            List<Named> frames = handMade(guestMac, echo.port());
            int refused = 0;
            try (RawFrames raw = RawFrames.open(net.guestNetns(), "tap0")) {
                long t0 = System.nanoTime();
                for (Named f : frames) {
                    RawFrames.Sent r = raw.send(f.frame());
                    if (r == RawFrames.Sent.REFUSED) {
                        refused++;
                    }
                    assertTrue(r != RawFrames.Sent.STALLED, () -> "the helper stopped reading its tap; last frame "
                        + "sent: " + f.name() + "\n" + h.describe());
                }
                System.out.printf("[%s] %d hand-made frames in %d ms%n", mode, frames.size(),
                    (System.nanoTime() - t0) / 1_000_000);
                TestNetwork.sleep(300);
                assertTrue(h.isAlive(), () -> "helper died on the hand-made frames\n" + h.describe());
                int fuzzed = fuzz(raw, guestMac, echo.port(), new Random(20240611L), 3000);
                System.out.printf("[%s] injected %d hand-made frames (%d refused by the kernel) and %d mutations%n",
                    mode, frames.size(), refused, fuzzed);
            }
            TestNetwork.sleep(500);
            assertTrue(h.isAlive(), () -> "helper died on fuzzed frames\n" + h.describe());
            // still serving: ping, UDP echo, DNS
            Checks.ping(net, "10.0.2.2");
            Checks.ping(net, "10.0.2.3");
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                Random rnd = new Random(5);
                Udp.echoLockstep(s, new InetSocketAddress("10.0.2.2", echo.port()),
                    List.of(Udp.payload(rnd, 10), Udp.payload(rnd, 3000)), Duration.ofSeconds(3));
                byte[] q = Dns.query(99, "still.example.test", Dns.TYPE_A);
                s.send(new DatagramPacket(q, q.length, new InetSocketAddress("10.0.2.3", 53)));
                DatagramPacket p = Udp.receive(s, Duration.ofSeconds(5));
                assertNotNull(p, "DNS dead after the malformed frames");
                assertArrayEquals(Dns.answerA(q, Frames.ip("198.51.100.77")),
                    Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()));
            }
            h.assertNoStackTrace();
            System.out.printf("[%s] helper stderr after injection: %d bytes, %d lines%n", mode, h.stderr().length(),
                h.stderr().lines().count());
            assertTrue(dns.count() >= 1);
        }
    }

    static byte[] guestMac(TestNetwork net) {
        Cmd.Result r = net.guest("ip", "-o", "link", "show", "dev", "tap0").check();
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(r.out());
        assertTrue(m.find(), r::describe);
        return Frames.mac(m.group(1));
    }

    static byte[] eth(byte[] src, int type, byte[] payload) {
        return Frames.ether(GW_MAC, src, type, payload);
    }

    static Frames.Ipv4 udpPacket(byte[] dst, int dport, byte[] data) {
        return new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, dst, Frames.udp(GUEST_IP, dst, 40000, dport, data));
    }

    static Frames.Ipv4 ping(int size) {
        return new Frames.Ipv4(Frames.PROTO_ICMP, GUEST_IP, GW_IP, Frames.icmp(8, 0, 77, 1, new byte[size]));
    }

    /** The list of targeted malformations. */
    static List<Named> handMade(byte[] mac, int echoPort) {
        List<Named> l = new ArrayList<>();
        int v4 = Frames.ETH_IPV4;
        l.add(new Named("ethernet header only, IPv4", eth(mac, v4, new byte[0])));
        l.add(new Named("ethernet header only, ARP", eth(mac, Frames.ETH_ARP, new byte[0])));
        l.add(new Named("ethernet header only, IPv6", eth(mac, 0x86dd, new byte[0])));
        l.add(new Named("unknown ethertype", eth(mac, 0x1234, new byte[64])));
        l.add(new Named("VLAN tag", eth(mac, 0x8100, new byte[64])));
        l.add(new Named("ethertype 0 (802.3 length)", eth(mac, 0x0000, new byte[64])));
        l.add(new Named("IPv6 garbage", eth(mac, 0x86dd, new byte[100])));
        byte[] arp = Frames.arpRequest(mac, GUEST_IP, GW_IP);
        l.add(new Named("ARP truncated", eth(mac, Frames.ETH_ARP, Arrays.copyOf(arp, 10))));
        byte[] arpBadLen = arp.clone();
        arpBadLen[4] = (byte) 255;
        arpBadLen[5] = (byte) 255;
        l.add(new Named("ARP with hlen/plen 255", eth(mac, Frames.ETH_ARP, arpBadLen)));
        byte[] arpZeroLen = arp.clone();
        arpZeroLen[4] = 0;
        arpZeroLen[5] = 0;
        l.add(new Named("ARP with hlen/plen 0", eth(mac, Frames.ETH_ARP, arpZeroLen)));
        byte[] arpOp = arp.clone();
        arpOp[7] = 9;
        l.add(new Named("ARP opcode 9", eth(mac, Frames.ETH_ARP, arpOp)));
        l.add(new Named("ARP from broadcast MAC", Frames.ether(Frames.BROADCAST, Frames.BROADCAST, Frames.ETH_ARP,
            Frames.arpRequest(Frames.BROADCAST, GUEST_IP, GW_IP))));
        l.add(new Named("ARP for 0.0.0.0 from 0.0.0.0", eth(mac, Frames.ETH_ARP,
            Frames.arpRequest(mac, new byte[4], new byte[4]))));

        byte[] goodUdp = udpPacket(GW_IP, echoPort, new byte[32]).bytes();
        l.add(new Named("IPv4 header truncated", eth(mac, v4, Arrays.copyOf(goodUdp, 10))));
        for (int ihl : new int[] {0, 1, 4, 15}) {
            Frames.Ipv4 p = udpPacket(GW_IP, echoPort, new byte[32]);
            p.ihl = ihl;
            l.add(new Named("IPv4 IHL " + ihl, eth(mac, v4, p.bytes())));
        }
        for (int tl : new int[] {0, 1, 19, 20, 27, 65535}) {
            Frames.Ipv4 p = udpPacket(GW_IP, echoPort, new byte[32]);
            p.totalLength = tl;
            l.add(new Named("IPv4 total length " + tl, eth(mac, v4, p.bytes())));
        }
        for (int version : new int[] {0, 5, 6, 15}) {
            Frames.Ipv4 p = udpPacket(GW_IP, echoPort, new byte[32]);
            p.version = version;
            l.add(new Named("IPv4 version " + version, eth(mac, v4, p.bytes())));
        }
        Frames.Ipv4 badSum = udpPacket(GW_IP, echoPort, new byte[32]);
        badSum.checksum = 0x1234;
        l.add(new Named("IPv4 bad header checksum", eth(mac, v4, badSum.bytes())));
        Frames.Ipv4 opts = udpPacket(GW_IP, echoPort, new byte[32]);
        opts.ihl = 15;
        opts.options = new byte[40];
        Arrays.fill(opts.options, (byte) 0x44); // timestamp option type, nonsense lengths
        l.add(new Named("IPv4 options garbage", eth(mac, v4, opts.bytes())));
        Frames.Ipv4 ttl0 = udpPacket(GW_IP, echoPort, new byte[8]);
        ttl0.ttl = 0;
        l.add(new Named("IPv4 TTL 0", eth(mac, v4, ttl0.bytes())));
        for (String src : new String[] {"0.0.0.0", "255.255.255.255", "10.0.2.2", "127.0.0.1", "224.0.0.1"}) {
            Frames.Ipv4 p = udpPacket(GW_IP, echoPort, new byte[8]);
            p.src = Frames.ip(src);
            l.add(new Named("UDP from " + src, eth(mac, v4, p.bytes())));
        }
        for (String dst : new String[] {"10.0.2.255", "255.255.255.255", "224.0.0.1", "0.0.0.0", "10.0.2.100"}) {
            l.add(new Named("UDP to " + dst, eth(mac, v4, udpPacket(Frames.ip(dst), echoPort, new byte[8]).bytes())));
        }
        l.add(new Named("UDP to port 0", eth(mac, v4, udpPacket(GW_IP, 0, new byte[8]).bytes())));
        l.add(new Named("IPv4 protocol 255", eth(mac, v4,
            new Frames.Ipv4(255, GUEST_IP, GW_IP, new byte[40]).bytes())));
        l.add(new Named("IPv4 protocol 0", eth(mac, v4, new Frames.Ipv4(0, GUEST_IP, GW_IP, new byte[0]).bytes())));

        // UDP header
        l.add(new Named("UDP header truncated", eth(mac, v4,
            new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, GW_IP, new byte[4]).bytes())));
        for (int ulen : new int[] {0, 1, 7, 9, 41, 65535}) {
            byte[] u = Frames.udp(GUEST_IP, GW_IP, 40001, echoPort, new byte[32], ulen);
            l.add(new Named("UDP length field " + ulen, eth(mac, v4,
                new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, GW_IP, u).bytes())));
        }
        byte[] badUdpSum = Frames.udp(GUEST_IP, GW_IP, 40002, echoPort, new byte[32]);
        badUdpSum[6] ^= 0x55;
        l.add(new Named("UDP bad checksum", eth(mac, v4,
            new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, GW_IP, badUdpSum).bytes())));
        l.add(new Named("DNS query garbage", eth(mac, v4, udpPacket(DNS_IP, 53, new byte[] {1, 2, 3}).bytes())));
        l.add(new Named("DNS query empty", eth(mac, v4, udpPacket(DNS_IP, 53, new byte[0]).bytes())));
        byte[] dnsLoop = new byte[40];
        ByteBuffer.wrap(dnsLoop).putShort((short) 1).putShort((short) 0x0100).putShort((short) 1);
        dnsLoop[12] = (byte) 0xc0; // compression pointer to itself
        dnsLoop[13] = 12;
        l.add(new Named("DNS query with a name pointer loop", eth(mac, v4, udpPacket(DNS_IP, 53, dnsLoop).bytes())));
        l.add(new Named("DHCP garbage to broadcast", Frames.ether(Frames.BROADCAST, mac, v4,
            new Frames.Ipv4(Frames.PROTO_UDP, new byte[4], Frames.ip("255.255.255.255"),
                Frames.udp(new byte[4], Frames.ip("255.255.255.255"), 68, 67, new byte[10])).bytes())));
        byte[] bootp = new byte[300];
        bootp[0] = 1;
        bootp[1] = 1;
        bootp[2] = 6;
        bootp[236] = 99; // magic cookie
        bootp[237] = (byte) 130;
        bootp[238] = 83;
        bootp[239] = 99;
        bootp[240] = 53; // option 53 with a length past the end
        bootp[241] = (byte) 200;
        l.add(new Named("DHCP discover with an overlong option", Frames.ether(Frames.BROADCAST, mac, v4,
            new Frames.Ipv4(Frames.PROTO_UDP, new byte[4], Frames.ip("255.255.255.255"),
                Frames.udp(new byte[4], Frames.ip("255.255.255.255"), 68, 67, bootp)).bytes())));

        // ICMP
        l.add(new Named("ICMP echo truncated to 4 bytes", eth(mac, v4,
            new Frames.Ipv4(Frames.PROTO_ICMP, GUEST_IP, GW_IP, new byte[] {8, 0, (byte) 0xf7, (byte) 0xff}).bytes())));
        l.add(new Named("ICMP empty", eth(mac, v4, new Frames.Ipv4(Frames.PROTO_ICMP, GUEST_IP, GW_IP,
            new byte[0]).bytes())));
        byte[] icmpBad = Frames.icmp(8, 0, 1, 1, new byte[16]);
        icmpBad[2] ^= 0x11;
        l.add(new Named("ICMP echo bad checksum", eth(mac, v4,
            new Frames.Ipv4(Frames.PROTO_ICMP, GUEST_IP, GW_IP, icmpBad).bytes())));
        l.add(new Named("ICMP type 255", eth(mac, v4, new Frames.Ipv4(Frames.PROTO_ICMP, GUEST_IP, GW_IP,
            Frames.icmp(255, 255, 0, 0, new byte[8])).bytes())));
        l.add(new Named("ICMP unreachable quoting garbage", eth(mac, v4, new Frames.Ipv4(Frames.PROTO_ICMP, GUEST_IP,
            GW_IP, Frames.icmp(3, 3, 0, 0, new byte[] {0x45, 0, 0, 1})).bytes())));
        l.add(new Named("ICMP unreachable quoting a UDP flow", eth(mac, v4, new Frames.Ipv4(Frames.PROTO_ICMP,
            GUEST_IP, GW_IP, Frames.icmp(3, 3, 0, 0, Arrays.copyOf(udpPacket(GUEST_IP, 40000, new byte[0]).bytes(),
                28))).bytes())));
        l.add(new Named("ping to 10.0.2.3 from the broadcast address", eth(mac, v4, new Frames.Ipv4(
            Frames.PROTO_ICMP, Frames.ip("255.255.255.255"), DNS_IP, Frames.icmp(8, 0, 1, 1, new byte[8])).bytes())));

        // TCP (not implemented yet in the helper: must be dropped or reset, never crash)
        l.add(new Named("TCP SYN", eth(mac, v4, new Frames.Ipv4(Frames.PROTO_TCP, GUEST_IP, GW_IP,
            Frames.tcp(GUEST_IP, GW_IP, 40000, echoPort, 0x02, 5, new byte[0])).bytes())));
        l.add(new Named("TCP data offset 0", eth(mac, v4, new Frames.Ipv4(Frames.PROTO_TCP, GUEST_IP, GW_IP,
            Frames.tcp(GUEST_IP, GW_IP, 40000, echoPort, 0x02, 0, new byte[0])).bytes())));
        l.add(new Named("TCP data offset 15 on a short segment", eth(mac, v4, new Frames.Ipv4(Frames.PROTO_TCP,
            GUEST_IP, GW_IP, Frames.tcp(GUEST_IP, GW_IP, 40000, echoPort, 0x02, 15, new byte[4])).bytes())));
        l.add(new Named("TCP all flags", eth(mac, v4, new Frames.Ipv4(Frames.PROTO_TCP, GUEST_IP, GW_IP,
            Frames.tcp(GUEST_IP, GW_IP, 40000, echoPort, 0xff, 5, new byte[10])).bytes())));
        l.add(new Named("TCP header truncated", eth(mac, v4, new Frames.Ipv4(Frames.PROTO_TCP, GUEST_IP, GW_IP,
            new byte[7]).bytes())));

        // fragments
        byte[] bigUdp = Frames.udp(GUEST_IP, GW_IP, 40003, echoPort, new byte[3000]);
        Frames.Ipv4 beyond = new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, GW_IP, new byte[200]);
        beyond.flagsFragment = 8191; // offset 65528: reassembled size would pass 65535
        l.add(new Named("fragment beyond 64 KiB", eth(mac, v4, beyond.bytes())));
        Frames.Ipv4 emptyFirst = new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, GW_IP, new byte[0]);
        emptyFirst.flagsFragment = 0x2000;
        emptyFirst.id = 0x4444;
        l.add(new Named("first fragment, empty, MF", eth(mac, v4, emptyFirst.bytes())));
        Frames.Ipv4 odd = new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, GW_IP, Arrays.copyOf(bigUdp, 13));
        odd.flagsFragment = 0x2000;
        odd.id = 0x4445;
        l.add(new Named("fragment with MF and a length not a multiple of 8", eth(mac, v4, odd.bytes())));
        // overlapping fragments of one datagram, then the tail
        for (int[] part : new int[][] {{0, 1200, 1}, {100, 1200, 1}, {96, 400, 1}, {0, 1480, 1}, {1480, 1528, 0}}) {
            int off = part[0];
            int len = part[1];
            Frames.Ipv4 f = new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, GW_IP,
                Arrays.copyOfRange(bigUdp, off, Math.min(bigUdp.length, off + len)));
            f.id = 0x5555;
            f.flagsFragment = (part[2] == 1 ? 0x2000 : 0) | (off / 8);
            l.add(new Named("overlapping fragment at " + off, eth(mac, v4, f.bytes())));
        }
        // the same datagram out of order and duplicated (a valid one: the echo server gets it)
        for (int off : new int[] {1480, 0, 1480, 2960, 0}) {
            Frames.Ipv4 f = new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, GW_IP,
                Arrays.copyOfRange(bigUdp, off, Math.min(bigUdp.length, off + 1480)));
            f.id = 0x6666;
            f.flagsFragment = (off + 1480 < bigUdp.length ? 0x2000 : 0) | (off / 8);
            l.add(new Named("out-of-order fragment at " + off, eth(mac, v4, f.bytes())));
        }
        // many incomplete datagrams: reassembly state must be bounded and expire
        for (int id = 0; id < 2000; id++) {
            Frames.Ipv4 f = new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, GW_IP, Arrays.copyOf(bigUdp, 1000));
            f.id = 0x7000 + id;
            f.flagsFragment = 0x2000;
            l.add(new Named("incomplete datagram " + id, eth(mac, v4, f.bytes())));
        }
        // a 4000-byte ping in 8-byte fragments (500 tiny fragments)
        byte[] bigPing = Frames.icmp(8, 0, 78, 1, new byte[4000]);
        for (int off = 0; off < bigPing.length; off += 8) {
            Frames.Ipv4 f = new Frames.Ipv4(Frames.PROTO_ICMP, GUEST_IP, GW_IP,
                Arrays.copyOfRange(bigPing, off, Math.min(bigPing.length, off + 8)));
            f.id = 0x7fff;
            f.flagsFragment = (off + 8 < bigPing.length ? 0x2000 : 0) | (off / 8);
            l.add(new Named("tiny fragment at " + off, eth(mac, v4, f.bytes())));
        }
        l.add(new Named("ping of 1400 bytes (valid)", eth(mac, v4, ping(1400).bytes())));
        l.add(new Named("frame to a broadcast MAC with a ping (valid-ish)",
            Frames.ether(Frames.BROADCAST, mac, v4, ping(10).bytes())));
        l.add(new Named("source MAC multicast", eth(new byte[] {1, 0, 0x5e, 0, 0, 1}, v4, ping(10).bytes())));
        return l;
    }

    /** Sends {@code count} random mutations of valid frames; returns how many the kernel accepted. */
    static int fuzz(RawFrames raw, byte[] mac, int echoPort, Random rnd, int count) {
        List<byte[]> templates = List.of(
            eth(mac, Frames.ETH_IPV4, ping(56).bytes()),
            eth(mac, Frames.ETH_IPV4, udpPacket(GW_IP, echoPort, new byte[64]).bytes()),
            eth(mac, Frames.ETH_IPV4, udpPacket(DNS_IP, 53, Dns.query(1, "fuzz.example.test", 1)).bytes()),
            eth(mac, Frames.ETH_ARP, Frames.arpRequest(mac, GUEST_IP, GW_IP)),
            eth(mac, Frames.ETH_IPV4, new Frames.Ipv4(Frames.PROTO_TCP, GUEST_IP, GW_IP,
                Frames.tcp(GUEST_IP, GW_IP, 40000, echoPort, 0x02, 5, new byte[0])).bytes()),
            fragmentTemplate(mac, echoPort));
        int accepted = 0;
        for (int i = 0; i < count; i++) {
            byte[] f = templates.get(rnd.nextInt(templates.size())).clone();
            int ops = 1 + rnd.nextInt(4);
            for (int k = 0; k < ops; k++) {
                switch (rnd.nextInt(5)) {
                    case 0 -> f[12 + rnd.nextInt(Math.min(f.length - 12, 48))] ^= (byte) (1 << rnd.nextInt(8));
                    case 1 -> f[14 + rnd.nextInt(f.length - 14)] = (byte) rnd.nextInt(256);
                    case 2 -> f = Arrays.copyOf(f, 14 + rnd.nextInt(f.length - 13));
                    case 3 -> {
                        byte[] longer = Arrays.copyOf(f, Math.min(1514, f.length + rnd.nextInt(200)));
                        for (int j = f.length; j < longer.length; j++) {
                            longer[j] = (byte) rnd.nextInt(256);
                        }
                        f = longer;
                    }
                    default -> {
                        // overwrite a 16-bit length/offset field of the IPv4 header with an extreme
                        int field = 14 + 2 * rnd.nextInt(4);
                        int value = new int[] {0, 1, 0x7fff, 0xffff, 0x2000, 0x1fff}[rnd.nextInt(6)];
                        if (field + 1 < f.length) {
                            f[field] = (byte) (value >>> 8);
                            f[field + 1] = (byte) value;
                        }
                    }
                }
                if (f.length <= 14) {
                    break;
                }
            }
            RawFrames.Sent r = raw.send(f);
            if (r == RawFrames.Sent.STALLED) {
                throw new AssertionError("the helper stopped reading its tap during fuzzing, at mutation #" + i
                    + ": " + java.util.HexFormat.of().formatHex(f));
            }
            if (r == RawFrames.Sent.SENT) {
                accepted++;
            }
        }
        return accepted;
    }

    private static byte[] fragmentTemplate(byte[] mac, int echoPort) {
        Frames.Ipv4 f = new Frames.Ipv4(Frames.PROTO_UDP, GUEST_IP, GW_IP,
            Arrays.copyOf(Frames.udp(GUEST_IP, GW_IP, 40004, echoPort, new byte[2000]), 1000));
        f.id = 0x3333;
        f.flagsFragment = 0x2000;
        return eth(mac, Frames.ETH_IPV4, f.bytes());
    }
}
