package io.slirp4j.stack;

import static io.slirp4j.stack.Packets.DNS;
import static io.slirp4j.stack.Packets.GATEWAY;
import static io.slirp4j.stack.Packets.GATEWAY_MAC;
import static io.slirp4j.stack.Packets.GUEST_IP;
import static io.slirp4j.stack.Packets.GUEST_MAC;
import static io.slirp4j.stack.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Thousands of random and mutated frames, host datagrams and timer ticks. Nothing may escape onFrame, nothing
 * may count as an internal error, every frame given to the stack must be released, and at the end no buffer
 * may be left unreleased and no socket open.
 */
class StackFuzzTest {
    private static final int PEER = ip(93, 184, 216, 34);

    /** Valid frames of every kind the stack takes, to mutate (and the seeds of {@link StackFrameFuzzTest}). */
    static List<byte[]> templates() {
        List<byte[]> t = new ArrayList<>();
        t.add(Packets.guestArpRequest(GATEWAY));
        t.add(Packets.guestArpRequest(DNS));
        t.add(Packets.ethernet(GATEWAY_MAC, GUEST_MAC, 0x0806, Packets.arp(2, GUEST_MAC, GUEST_IP, GATEWAY_MAC, GATEWAY)));
        t.add(Packets.guestPing(GATEWAY, 1, 2, Packets.bytes(56, 1)));
        t.add(Packets.guestPing(DNS, 3, 4, new byte[0]));
        t.add(Packets.guestUdp(PEER, 40000, 7777, Packets.bytes(30, 2)));
        t.add(Packets.guestUdp(GATEWAY, 40001, 8080, Packets.bytes(10, 3)));
        t.add(Packets.guestUdp(DNS, 40002, 53, Packets.dnsQuery(0x1234)));
        t.add(Packets.guestUdp(DNS, 40003, 54, Packets.dnsQuery(1)));
        byte[] dhcp = new byte[300];
        dhcp[0] = 1;
        dhcp[1] = 1;
        dhcp[2] = 6;
        dhcp[28] = 2;
        dhcp[33] = 1;
        dhcp[236] = 99;
        dhcp[237] = (byte) 130;
        dhcp[238] = 83;
        dhcp[239] = 99;
        dhcp[240] = 53;
        dhcp[241] = 1;
        dhcp[242] = 1;
        dhcp[243] = (byte) 255;
        t.add(Packets.ethernet(-1L & 0xFFFF_FFFF_FFFFL, GUEST_MAC, 0x0800,
            Packets.ipv4(0, -1, 17, Packets.udp(0, -1, 68, 67, dhcp))));
        byte[] request = dhcp.clone();
        request[242] = 3;
        byte[] requested = {50, 4, 10, 0, 2, 15, (byte) 255};
        System.arraycopy(requested, 0, request, 243, requested.length);
        t.add(Packets.ethernet(-1L & 0xFFFF_FFFF_FFFFL, GUEST_MAC, 0x0800,
            Packets.ipv4(0, -1, 17, Packets.udp(0, -1, 68, 67, request))));
        // Fragments of one UDP datagram and of one ping.
        byte[] udp = Packets.udp(GUEST_IP, PEER, 5000, 6000, Packets.bytes(3000, 4));
        for (int off = 0; off < udp.length; off += 1480) {
            int len = Math.min(1480, udp.length - off);
            t.add(Packets.ethernet(GATEWAY_MAC, GUEST_MAC, 0x0800, Packets.ipv4(GUEST_IP, PEER, 17,
                Arrays.copyOfRange(udp, off, off + len), 77, (off + len < udp.length ? 0x2000 : 0) | off / 8, 64)));
        }
        byte[] icmp = Packets.icmpEcho(8, 9, 9, Packets.bytes(2000, 5));
        for (int off = 0; off < icmp.length; off += 1024) {
            int len = Math.min(1024, icmp.length - off);
            t.add(Packets.ethernet(GATEWAY_MAC, GUEST_MAC, 0x0800, Packets.ipv4(GUEST_IP, GATEWAY, 1,
                Arrays.copyOfRange(icmp, off, off + len), 78, (off + len < icmp.length ? 0x2000 : 0) | off / 8, 64)));
        }
        t.add(Packets.ethernet(GATEWAY_MAC, GUEST_MAC, 0x0800, Packets.ipv4WithOptions(GUEST_IP, PEER, 17,
            Packets.udp(GUEST_IP, PEER, 1, 2, new byte[3]), 5, 0, 64, new byte[] {1, 1, 1, 0})));
        // IPv6: neighbour and router discovery, echo, UDP to the gateway, DNS, fragments, an extension header
        t.add(Packets6.neighborSolicitation(Packets6.GUEST_LL, Packets6.ROUTER, true));
        t.add(Packets6.neighborSolicitation(Packets6.UNSPECIFIED, Packets6.GUEST, false));
        t.add(Packets6.routerSolicitation(Packets6.UNSPECIFIED));
        t.add(Packets6.echoRequest(Packets6.GUEST, Packets6.GATEWAY, 7, 8, Packets.bytes(56, 6)));
        t.add(Packets6.guestUdp(Packets6.GUEST, Packets6.GATEWAY, 41000, 7, Packets.bytes(20, 7)));
        t.add(Packets6.guestUdp(Packets6.GUEST, Packets6.DNS, 41001, 53, Packets.dnsQuery(0x4321)));
        t.add(Packets6.guestUdp(Packets6.GUEST, Packets6.addr("2001:db8::7"), 41002, 9, Packets.bytes(9, 8)));
        t.addAll(Packets6.guestUdpFragments(Packets6.GUEST, Packets6.GATEWAY, 41003, 7, Packets.bytes(3000, 9), 1232,
            99));
        byte[] withOptions = Packets6.ipv6(Packets6.GUEST, Packets6.GATEWAY, 60, 64,
            Packets6.cat(new byte[] {17, 0, 1, 4, 0, 0, 0, 0}, Packets6.udp(41004, 7, new byte[4])), -1);
        t.add(Packets6.frame(Packets6.ROUTER_MAC, withOptions));
        return t;
    }

    private static byte[] mutate(byte[] template, Random r) {
        byte[] f;
        switch (r.nextInt(8)) {
            case 0 -> { // random garbage
                f = new byte[r.nextInt(200)];
                r.nextBytes(f);
            }
            case 1 -> f = Arrays.copyOf(template, r.nextInt(template.length + 1)); // truncated
            case 2 -> { // extended with garbage
                f = Arrays.copyOf(template, template.length + r.nextInt(100));
                for (int i = template.length; i < f.length; i++) {
                    f[i] = (byte) r.nextInt();
                }
            }
            case 3 -> f = template.clone(); // as is (valid traffic in between)
            default -> { // a few bytes changed, mostly in the headers, checksums often repaired
                f = template.clone();
                int flips = 1 + r.nextInt(4);
                for (int i = 0; i < flips && f.length > 0; i++) {
                    int at = r.nextBoolean() ? r.nextInt(Math.min(f.length, 64)) : r.nextInt(f.length);
                    f[at] = r.nextInt(4) == 0 ? (byte) (r.nextBoolean() ? 0 : 0xFF) : (byte) r.nextInt();
                }
                if (r.nextInt(3) != 0) {
                    FrameChecksums.repair(f);
                }
            }
        }
        return f;
    }

    private static InetSocketAddress randomSource(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> StackHarness.NS1;
            case 1 -> StackHarness.NS2;
            case 2 -> Packets.socket(ip(127, 0, 0, 1), 8080);
            case 3 -> new InetSocketAddress(r.nextBoolean() ? "2001:db8::1" : "::1", r.nextBoolean() ? 53 : 7);
            case 4 -> Packets.socket(ip(10, 0, 2, r.nextInt(256)), r.nextInt(65536));
            default -> Packets.socket(r.nextInt(), r.nextInt(65536));
        };
    }

    @ParameterizedTest(name = "seed {0}, mtu {1}, loopback {2}, dns {3}, ipv6 {4}")
    @CsvSource({"1, 1500, true, true, false", "2, 68, false, true, false", "3, 576, true, false, false",
        "4, 65520, true, true, false", "5, 1500, true, true, true", "6, 1280, false, false, true",
        "7, 65520, true, true, true"})
    void randomAndMutatedFrames(long seed, int mtu, boolean loopback, boolean dns, boolean ipv6) {
        StackHarness h = new StackHarness(new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, mtu, loopback, dns,
            ipv6 ? Ipv6Network.defaults() : null), 64);
        Random r = new Random(seed);
        List<byte[]> templates = templates();
        for (int i = 0; i < 4000; i++) {
            byte[] frame = mutate(templates.get(r.nextInt(templates.size())), r);
            h.send(frame); // asserts release and flush
            if (r.nextInt(10) == 0 && !h.host.sockets().isEmpty()) {
                FakeHostDatagrams.Socket s = h.host.sockets().get(r.nextInt(h.host.sockets().size()));
                if (!s.closed) {
                    byte[] payload = r.nextBoolean() ? Packets.dnsAnswer(0x1234, r.nextInt(5000))
                        : new byte[r.nextInt(3000)];
                    s.deliver(randomSource(r), payload);
                }
            }
            if (r.nextInt(20) == 0) {
                h.tick(r.nextInt(3) == 0 ? 31_000 : r.nextInt(2000));
            }
            if (r.nextInt(5) == 0) {
                h.sink.releaseAll();
            }
            if (i % 500 == 0) {
                h.alloc.forgetReleased();
            }
        }
        StackStats s = h.stats();
        assertEquals(4000, s.frames().in());
        assertTrue(s.frames().droppedMalformed() > 100, "the fuzzer reached the validators: " + s);
        assertTrue(s.udp().toHost() > 10 && s.icmp().echoReplies() > 10 && s.arp().repliesSent() > 10,
            "and valid traffic got through: " + s);
        if (ipv6) {
            assertTrue(s.icmpv6().echoReplies() > 10 && s.icmpv6().neighborSolicitations() > 10
                && s.icmpv6().routerAdvertisements() > 10 && s.ipv6().datagramsReassembled() > 0,
                "and valid IPv6 traffic got through: " + s);
        }
        if (Boolean.getBoolean("fuzz.print")) {
            System.out.println(s);
        }
        h.finish(); // no leaks, no open sockets, no internal errors
    }

    /**
     * The USO paths under fuzz: UDP super-frames from the guest (well-formed, mutated, or with a vnet header that
     * lies about the datagram size or the UDP offset) and bursts of host datagrams of random sizes to a link that
     * cuts UDP. Nothing may escape, leak or be lost silently.
     */
    @ParameterizedTest(name = "seed {0}, mtu {1}")
    @CsvSource({"11, 1500", "12, 576", "13, 65520"})
    void udpSuperFramesBothWays(long seed, int mtu) {
        StackHarness h = new StackHarness(new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, mtu, true, true),
            LinkOffloads.ALL);
        Random r = new Random(seed);
        h.send(Packets.guestUdp(Packets.GATEWAY, 40000, 7777, new byte[] {1})); // a flow, and the guest's MAC
        FakeHostDatagrams.Socket flow = h.host.last();
        for (int i = 0; i < 3000; i++) {
            int segment = 1 + r.nextInt(r.nextBoolean() ? 100 : 2000);
            byte[] payload = new byte[Math.min(60_000, segment * (1 + r.nextInt(70)) + r.nextInt(segment))];
            r.nextBytes(payload);
            byte[] frame = Packets.guestUdp(r.nextBoolean() ? Packets.GATEWAY : ip(93, 184, 216, 34),
                40000 + r.nextInt(3), 7777, payload);
            if (r.nextInt(4) == 0) {
                frame = mutate(frame, r);
            }
            int udpStart = r.nextInt(8) == 0 ? r.nextInt(100) : 34;
            if (r.nextInt(10) == 0) {
                segment = r.nextInt(3) == 0 ? 0 : r.nextInt(70_000);
            }
            io.netty.buffer.ByteBuf buf = h.alloc.buffer(frame.length).writeBytes(frame);
            h.stack.onUdpSuperFrame(buf, udpStart, segment);
            assertEquals(0, buf.refCnt(), "the stack must release every frame it is given");
            if (r.nextInt(3) == 0 && !flow.closed) {
                List<byte[]> burst = new java.util.ArrayList<>();
                int size = r.nextInt(3000);
                for (int k = r.nextInt(100); k >= 0; k--) {
                    burst.add(new byte[r.nextInt(4) == 0 ? r.nextInt(3000) : size]);
                }
                flow.deliverBurst(randomSource(r), burst);
                assertTrue(h.sink.flushed(), "frames sent but not flushed");
            }
            if (r.nextInt(5) == 0) {
                h.sink.releaseAll();
            }
            if (i % 500 == 0) {
                h.alloc.forgetReleased();
            }
        }
        StackStats st = h.stats();
        assertTrue(st.frames().droppedMalformed() > 100, "the fuzzer reached the validators: " + st);
        assertTrue(st.udp().toHost() > 1000 && st.udp().toGuest() > 1000, "and datagrams got through: " + st);
        h.finish(); // no leaks, no open sockets, no internal errors
    }

    @ParameterizedTest(name = "allocator {0}")
    @CsvSource({"pooled", "unpooled"})
    void realAllocatorsUnderParanoidLeakDetection(String kind) throws InterruptedException {
        // Direct buffers: Netty wraps those (pooled or not) in leak-aware buffers; unpooled heap buffers it does not.
        ByteBufAllocator alloc = kind.equals("pooled") ? new PooledByteBufAllocator(true)
            : new UnpooledByteBufAllocator(true);
        new TrackingAllocator(); // switches the detector to paranoid and listens for its reports
        FakeSink sink = new FakeSink();
        FakeHostDatagrams host = new FakeHostDatagrams(alloc);
        FakeClock clock = new FakeClock();
        Stack stack = new Stack(NetworkConfig.defaults(), alloc, sink, host,
            new FakeNameservers(List.of(StackHarness.NS1)), clock);
        Random r = new Random(99);
        List<byte[]> templates = templates();
        // Paranoid records a stack trace on every buffer access, so fewer frames than above.
        for (int i = 0; i < 1000; i++) {
            byte[] f = mutate(templates.get(r.nextInt(templates.size())), r);
            ByteBuf frame = alloc.buffer(f.length).writeBytes(f);
            stack.onFrame(frame);
            assertEquals(0, frame.refCnt());
            assertTrue(frame.isDirect());
            if (r.nextInt(10) == 0) {
                for (FakeHostDatagrams.Socket s : host.sockets()) {
                    if (!s.closed) {
                        s.deliver(randomSource(r), Packets.dnsAnswer(0x1234, r.nextInt(3000)));
                    }
                }
            }
            if (r.nextInt(20) == 0) {
                clock.advance(r.nextInt(40_000));
                stack.onTimer();
            }
            sink.releaseAll();
        }
        stack.close();
        assertEquals(0, stack.stats().errors().internalErrors());
        // Give the detector a chance: collect, then allocate so it polls its reference queue.
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            for (int i = 0; i < 100; i++) {
                alloc.buffer(16).release();
            }
        }
        assertEquals(List.of(), TrackingAllocator.leakReports());
    }
}
