package io.slirp4j.stack;

import static io.slirp4j.stack.Packets.GATEWAY;
import static io.slirp4j.stack.Packets.GUEST_IP;
import static io.slirp4j.stack.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.host.ConnectFailure;
import io.slirp4j.stack.tcp.BufferBudget;
import io.slirp4j.stack.tcp.FakeHostStreams;
import io.slirp4j.stack.tcp.IsnSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the whole stack as the guest and the host drive it: frames into
 * {@link Stack#onFrame}, with host datagrams, host TCP events and timer ticks in between, on a stack with UDP, TCP,
 * ICMP echo and (chosen by the input) IPv6. {@link StackFuzzTest} does the same with seeded random mutations; this
 * one is guided by coverage, so it reaches states a random frame does not (a TCP connection past its handshake).
 *
 * <p>What must hold, whatever the input: nothing escapes the stack (an internal error, which it counts and
 * reports, fails the run too), every frame given to it is released, every frame it sends is well-formed (checked
 * by {@link Decoded}, which shares no code with the stack's parsers, and no longer than the MTU allows), and once
 * closed it has released every buffer and closed every host socket. (A frame may outlive onFrame in one way only:
 * as slices in host writes not yet completed, for TCP hands guest data to the host socket without a copy.)
 *
 * <p>The input is one byte of set-up (bit 0: IPv6 on; bit 1: the host's loopback reachable; bit 2: DNS
 * forwarding; bits 3-5: the MTU, from {@link #MTUS}), then records of a kind byte, a 16-bit big-endian length and
 * that many bytes (fewer at the end), each one {@link Event}. Runs are deterministic: a fake clock, a fixed ISN.
 * The committed inputs under {@code StackFrameFuzzTestInputs/guestTraffic/} come from {@link #main}; in the build
 * execution {@code fuzz-stack} fuzzes for a bounded time (README.md, "Fuzzing").
 */
class StackFrameFuzzTest {
    static final int[] MTUS = {1500, 576, 68, 1280, 9000, 65520, 1500, 1500};
    /** Near the wrap of the sequence space, so that every connection that sends 256 bytes crosses it. */
    static final int ISN = 0xFFFF_FF00;
    static final int PEER = ip(93, 184, 216, 34);
    /** Where host datagrams come from: the nameservers, the host's loopback, an outside peer, made-up sources. */
    private static final InetSocketAddress[] HOST_SOURCES = {StackHarness.NS1, StackHarness.NS2,
        Packets.socket(ip(127, 0, 0, 1), 8080), Packets.socket(PEER, 7777), Packets.socket(GATEWAY, 53),
        new InetSocketAddress(Packets6.inet(Packets6.addr("2001:db8::1")), 53),
        new InetSocketAddress(Packets6.inet(Packets6.addr("::1")), 7), Packets.socket(ip(10, 0, 2, 200), 9)};

    /** What a record does; its kind byte modulo the number of events chooses it. */
    enum Event {
        /** A frame from the guest, as it is. */
        FRAME,
        /** A frame from the guest, its checksums filled in first ({@link FrameChecksums}). */
        FRAME_WITH_CHECKSUMS,
        /** A datagram from the host: byte 0 picks the UDP flow's socket, byte 1 the source, the rest is the data. */
        HOST_DATAGRAM,
        /** A host TCP event: byte 0 picks the connection, byte 1 the event, the rest is data read. */
        HOST_TCP,
        /** The clock moves on by bytes 0-1 times 10 ms (up to 11 minutes), and the stack's timer runs. */
        TIMER,
        /** The guest reads every frame the stack sent (until then they stay queued on the link). */
        GUEST_READS
    }

    @FuzzTest(maxDuration = "90s")
    void guestTraffic(byte[] input) {
        run(input);
    }

    /** The committed inputs do reach what they were written for: otherwise the fuzzer would start far from it. */
    @Test
    void theSeedsReachDhcpDnsIpv6AndAnEstablishedTcpConnection() {
        List<byte[]> seeds = seeds();
        StackStats ipv4 = run(seeds.get(0));
        assertTrue(ipv4.dhcp().offers() > 0 && ipv4.dns().answers() > 0 && ipv4.arp().repliesSent() > 0,
            ipv4.toString());
        StackStats ipv6 = run(seeds.get(1));
        assertTrue(ipv6.icmpv6().echoReplies() > 0 && ipv6.icmpv6().routerAdvertisements() > 0, ipv6.toString());
        StackStats tcp = run(seeds.get(3));
        assertEquals(18, tcp.tcp().bytesToHost(), tcp.toString());
        assertEquals(600, tcp.tcp().bytesToGuest(), tcp.toString());
    }

    /** Runs one input; throws (AssertionError) when an invariant breaks. Returns the closed stack's counters. */
    static StackStats run(byte[] input) {
        if (input.length == 0) {
            return null;
        }
        int setup = input[0] & 0xFF;
        NetworkConfig config = new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, MTUS[(setup >>> 3) & 7],
            (setup & 2) != 0, (setup & 4) != 0, (setup & 1) != 0 ? Ipv6Network.defaults() : null);
        Session session = new Session(config);
        int at = 1;
        while (at + 3 <= input.length) {
            Event event = Event.values()[(input[at] & 0xFF) % Event.values().length];
            int length = Math.min(((input[at + 1] & 0xFF) << 8) | (input[at + 2] & 0xFF), input.length - at - 3);
            byte[] body = Arrays.copyOfRange(input, at + 3, at + 3 + length);
            at += 3 + length;
            session.on(event, body);
        }
        session.finish();
        return session.stack.stats();
    }

    /** A stack wired to fakes, small tables so that the fuzzer reaches their limits. */
    private static final class Session {
        final NetworkConfig config;
        final TrackingAllocator alloc = new TrackingAllocator();
        final FakeSink link = new FakeSink();
        final FakeHostDatagrams udp = new FakeHostDatagrams(alloc);
        final FakeHostStreams tcp = new FakeHostStreams(alloc);
        final FakeHostPings pings = new FakeHostPings(alloc);
        final FakeClock clock = new FakeClock();
        final Stack stack;
        /** Per host TCP connection (same index): 0 connecting, 1 connected, 2 the host's side ended. */
        final List<Integer> tcpStates = new ArrayList<>();

        Session(NetworkConfig config) {
            this.config = config;
            stack = new Stack(config, alloc, link, udp, tcp, pings,
                new FakeNameservers(List.of(StackHarness.NS1, StackHarness.NS2)), clock, 8, 8,
                new BufferBudget(1 << 20, BufferBudget.DEFAULT_FLOOR), 8, IsnSource.fixed(ISN));
            stack.onInternalError(e -> {
                throw new AssertionError("internal error in the stack", e);
            });
        }

        void on(Event event, byte[] body) {
            switch (event) {
                case FRAME, FRAME_WITH_CHECKSUMS -> {
                    if (event == Event.FRAME_WITH_CHECKSUMS) {
                        FrameChecksums.repair(body);
                    }
                    ByteBuf frame = alloc.buffer(body.length).writeBytes(body);
                    stack.onFrame(frame);
                    // released, but for the slices of it that TCP handed to host writes still in progress (guest
                    // data goes to the host socket without a copy)
                    assertEquals(slicesInHostWrites(frame), frame.refCnt(),
                        "the stack must release every frame it is given");
                }
                case HOST_DATAGRAM -> {
                    List<FakeHostDatagrams.Socket> open = udp.sockets().stream().filter(s -> !s.closed).toList();
                    if (open.isEmpty() || body.length < 2) {
                        return;
                    }
                    open.get((body[0] & 0xFF) % open.size()).deliver(HOST_SOURCES[(body[1] & 0xFF) % HOST_SOURCES.length],
                        Arrays.copyOfRange(body, 2, body.length));
                }
                case HOST_TCP -> hostTcp(body);
                case TIMER -> {
                    clock.advance(10L * (body.length >= 2 ? ((body[0] & 0xFF) << 8) | (body[1] & 0xFF) : 1));
                    stack.onTimer();
                }
                case GUEST_READS -> guestReads();
                default -> throw new AssertionError(event);
            }
            assertTrue(link.flushed(), "frames sent but not flushed");
        }

        /**
         * One event on a host connection that Netty could deliver in its state: the connect's outcome while
         * connecting, reads and the end of the stream while connected, a reset any time before the host's side
         * ended; nothing once the stack has closed it.
         */
        void hostTcp(byte[] body) {
            List<FakeHostStreams.Conn> all = tcp.connections();
            while (tcpStates.size() < all.size()) {
                tcpStates.add(0);
            }
            if (all.isEmpty() || body.length < 2) {
                return;
            }
            int index = (body[0] & 0xFF) % all.size();
            FakeHostStreams.Conn c = all.get(index);
            int state = tcpStates.get(index);
            if (c.closed || c.aborted || c.failed || state == 2) {
                return;
            }
            int what = body[1] & 0xFF;
            if (state == 0) {
                switch (what % 3) {
                    case 0 -> c.fail(ConnectFailure.values()[(what / 3) % ConnectFailure.values().length]);
                    default -> {
                        c.connected();
                        tcpStates.set(index, 1);
                    }
                }
                return;
            }
            switch (what % 5) {
                case 0, 1 -> c.read(Arrays.copyOfRange(body, 2, body.length));
                case 2 -> {
                    c.eof();
                    tcpStates.set(index, 2);
                }
                case 3 -> {
                    c.reset();
                    tcpStates.set(index, 2);
                }
                default -> {
                    // the host stops taking writes at once, or takes the queued ones and then every write again
                    c.autoCompleteWrites = !c.autoCompleteWrites;
                    if (c.autoCompleteWrites) {
                        c.complete();
                    }
                }
            }
        }

        private long slicesInHostWrites(ByteBuf frame) {
            return tcp.connections().stream().flatMap(c -> c.pendingWrites().stream())
                .filter(b -> b == frame || b.unwrap() == frame).count();
        }

        /** Takes every frame the stack sent and checks it, independently of the stack's own parsers. */
        void guestReads() {
            byte[] f;
            while ((f = link.poll()) != null) {
                assertTrue(f.length >= 14 && f.length - 14 <= config.mtu(),
                    "a frame of " + f.length + " bytes on a link with an MTU of " + config.mtu());
                Decoded d = Decoded.of(f); // IPv4: lengths, header checksum, UDP and ICMP checksums
                if (d.ethType == 0x0800 && d.protocol == 6 && d.fragmentOffset == 0 && !d.moreFragments()) {
                    assertEquals(0, Packets.checksum(d.l4, 0, d.l4.length,
                        Packets.pseudoHeader(d.src, d.dst, 6, d.l4.length)), "TCP checksum");
                } else if (d.ethType == 0x86DD) {
                    checkIpv6(f);
                }
            }
        }

        private static void checkIpv6(byte[] f) {
            assertTrue(f.length >= 54, "IPv6 header");
            assertEquals(6, (f[14] & 0xFF) >>> 4, "IPv6 version");
            int payload = ((f[18] & 0xFF) << 8) | (f[19] & 0xFF);
            assertEquals(f.length - 54, payload, "IPv6 payload length vs frame");
            int next = f[20] & 0xFF;
            if (next == 58 || next == 17 || next == 6) {
                long pseudo = Packets6.pseudoSum(Arrays.copyOfRange(f, 22, 38), Arrays.copyOfRange(f, 38, 54), next,
                    payload);
                assertEquals(0, Packets.checksum(f, 54, payload, pseudo), "checksum of next header " + next);
            }
        }

        void finish() {
            guestReads();
            stack.close();
            link.releaseAll();
            for (FakeHostStreams.Conn c : tcp.connections()) {
                c.releaseQueued();
            }
            List<ByteBuf> live = alloc.unreleased();
            assertTrue(live.isEmpty(), live.size() + " buffers leaked");
            assertEquals(0, udp.openCount(), "host UDP sockets left open");
            assertEquals(0, tcp.openCount(), "host TCP connections left open");
            assertEquals(0, pings.openCount(), "host echo sockets left open");
            assertEquals(0, stack.stats().tcp().connectionsOpen(), "TCP connections left in the table");
            assertEquals(0, stack.stats().errors().internalErrors(), "internal errors");
        }
    }

    /** An input: the set-up byte, then each event with its body. */
    static final class Input {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Input(int setup) {
            bytes.write(setup);
        }

        Input add(Event event, byte[] body) {
            bytes.write(event.ordinal());
            bytes.write(body.length >>> 8);
            bytes.write(body.length);
            bytes.writeBytes(body);
            return this;
        }

        Input frames(List<byte[]> frames) {
            frames.forEach(f -> add(Event.FRAME, f));
            return add(Event.GUEST_READS, new byte[0]);
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }

    /** The committed inputs: {@link StackFuzzTest}'s templates, and a TCP connection through its life. */
    static List<byte[]> seeds() {
        List<byte[]> ipv4 = new ArrayList<>();
        List<byte[]> ipv6 = new ArrayList<>();
        for (byte[] t : StackFuzzTest.templates()) {
            (t[12] == (byte) 0x86 ? ipv6 : ipv4).add(t);
        }
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(answers(new Input(0b110).frames(ipv4)).add(Event.TIMER, new byte[] {0x10, 0})
            .add(Event.GUEST_READS, new byte[0]).toByteArray());
        seeds.add(answers(new Input(0b111).frames(ipv6)).add(Event.GUEST_READS, new byte[0]).toByteArray());
        seeds.add(new Input(0b10_110).frames(ipv4).toByteArray()); // MTU 68
        int guestIsn = 1000;
        byte[] data = "GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        seeds.add(new Input(0b110)
            .add(Event.FRAME, Packets.guestArpRequest(GATEWAY))
            .add(Event.FRAME, guestTcp(guestIsn, 0, 0x02, new byte[0])) // SYN
            .add(Event.HOST_TCP, new byte[] {0, 1}) // connected
            .add(Event.FRAME, guestTcp(guestIsn + 1, ISN + 1, 0x10, new byte[0])) // ACK of the SYN-ACK
            .add(Event.FRAME, guestTcp(guestIsn + 1, ISN + 1, 0x18, data))
            .add(Event.HOST_TCP, Packets6.cat(new byte[] {0, 0}, Packets.bytes(600, 1))) // a read
            .add(Event.GUEST_READS, new byte[0])
            .add(Event.FRAME, guestTcp(guestIsn + 1 + data.length, ISN + 1 + 600, 0x11, new byte[0])) // FIN
            .add(Event.HOST_TCP, new byte[] {0, 2}) // the host's end
            .add(Event.TIMER, new byte[] {0, 50})
            .add(Event.GUEST_READS, new byte[0])
            .toByteArray());
        return seeds;
    }

    /** A DNS answer from the first nameserver to each of the first UDP flows' sockets: one of them is the query's. */
    private static Input answers(Input input) {
        for (int socket = 0; socket < 6; socket++) {
            input.add(Event.HOST_DATAGRAM, Packets6.cat(new byte[] {(byte) socket, 0}, Packets.dnsAnswer(0x1234, 0)));
        }
        return input;
    }

    private static byte[] guestTcp(int seq, int ack, int flags, byte[] payload) {
        return Packets.guestIpv4(PEER, 6, Packets.tcp(GUEST_IP, PEER, 40000, 80, seq, ack, flags, payload));
    }

    /**
     * Writes {@link #seeds()} as the harness's committed inputs; run from {@code nat-stack/} with the test
     * classpath (a tool, not a test).
     */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(
            Paths.get("src/test/resources/io/slirp4j/stack/StackFrameFuzzTestInputs/guestTraffic"));
        List<byte[]> seeds = seeds();
        for (int i = 0; i < seeds.size(); i++) {
            Files.write(dir.resolve("seed-" + i), seeds.get(i));
        }
    }
}
