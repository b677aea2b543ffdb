package io.slirp4j.stack;

import static io.slirp4j.stack.Packets.GATEWAY;
import static io.slirp4j.stack.Packets.GATEWAY_MAC;
import static io.slirp4j.stack.Packets.GUEST_IP;
import static io.slirp4j.stack.Packets.GUEST_MAC;
import static io.slirp4j.stack.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One of every kind of broken frame: each is dropped, counted under the right heading, and released. */
class StackMalformedTest {
    private static final int PEER = ip(1, 1, 1, 1);
    private final StackHarness h = new StackHarness();

    @AfterEach
    void finish() {
        h.finish();
    }

    private static byte[] udpFrame() {
        return Packets.guestUdp(PEER, 1000, 2000, new byte[] {1, 2, 3, 4});
    }

    private static byte[] fixIpChecksum(byte[] frame) {
        int ihl = Math.min((frame[14] & 0xF) * 4, frame.length - 14);
        frame[24] = 0;
        frame[25] = 0;
        int c = Packets.checksum(frame, 14, ihl, 0);
        frame[24] = (byte) (c >>> 8);
        frame[25] = (byte) c;
        return frame;
    }

    private static byte[] with(byte[] frame, int index, int value) {
        byte[] copy = frame.clone();
        copy[index] = (byte) value;
        return copy;
    }

    static Stream<Arguments> malformed() {
        ToLongFunction<StackStats> malformed = s -> s.frames().droppedMalformed();
        ToLongFunction<StackStats> unsupported = s -> s.frames().droppedUnsupported();
        ToLongFunction<StackStats> filtered = s -> s.frames().droppedFiltered();
        return Stream.of(
            Arguments.of("empty frame", (Supplier<byte[]>) () -> new byte[0], malformed),
            Arguments.of("13-byte frame", (Supplier<byte[]>) () -> new byte[13], malformed),
            Arguments.of("header only", (Supplier<byte[]>) () -> Arrays.copyOf(udpFrame(), 14), malformed),
            Arguments.of("IPv6 frame", (Supplier<byte[]>) () -> with(with(udpFrame(), 12, 0x86), 13, 0xDD), unsupported),
            Arguments.of("VLAN tag", (Supplier<byte[]>) () -> with(with(udpFrame(), 12, 0x81), 13, 0x00), unsupported),
            Arguments.of("802.3 length", (Supplier<byte[]>) () -> with(with(udpFrame(), 12, 0x00), 13, 0x40), unsupported),
            Arguments.of("IP truncated below 20", (Supplier<byte[]>) () -> Arrays.copyOf(udpFrame(), 14 + 19), malformed),
            Arguments.of("IP version 5", (Supplier<byte[]>) () -> fixIpChecksum(with(udpFrame(), 14, 0x55)), malformed),
            Arguments.of("IP IHL 4", (Supplier<byte[]>) () -> with(udpFrame(), 14, 0x44), malformed),
            Arguments.of("IP IHL beyond frame", (Supplier<byte[]>) () -> fixIpChecksum(with(udpFrame(), 14, 0x4F)), malformed),
            Arguments.of("IP total length < header", (Supplier<byte[]>) () ->
                fixIpChecksum(with(with(udpFrame(), 16, 0), 17, 10)), malformed),
            Arguments.of("IP total length > frame", (Supplier<byte[]>) () ->
                fixIpChecksum(with(udpFrame(), 16, 0x10)), malformed),
            Arguments.of("IP frame cut short", (Supplier<byte[]>) () -> Arrays.copyOf(udpFrame(), udpFrame().length - 1),
                malformed),
            Arguments.of("IP header checksum", (Supplier<byte[]>) () -> with(udpFrame(), 25, udpFrame()[25] ^ 0x10),
                malformed),
            Arguments.of("UDP length < 8", (Supplier<byte[]>) () -> with(udpFrame(), 14 + 20 + 5, 4), malformed),
            Arguments.of("UDP length > IP payload", (Supplier<byte[]>) () -> with(udpFrame(), 14 + 20 + 5, 40), malformed),
            Arguments.of("UDP header cut", (Supplier<byte[]>) () -> fixIpChecksum(with(Arrays.copyOf(udpFrame(),
                14 + 20 + 6), 17, 26)), malformed),
            Arguments.of("UDP checksum", (Supplier<byte[]>) () -> with(udpFrame(), udpFrame().length - 1, 9), malformed),
            Arguments.of("ICMP cut below 8", (Supplier<byte[]>) () -> Packets.guestIpv4(GATEWAY, 1, new byte[] {8, 0, 0}),
                malformed),
            Arguments.of("unknown IP protocol", (Supplier<byte[]>) () -> Packets.guestIpv4(PEER, 47, new byte[8]),
                unsupported),
            Arguments.of("TCP (no engine yet)", (Supplier<byte[]>) () -> Packets.guestIpv4(PEER, 6, new byte[20]),
                unsupported),
            Arguments.of("fragmented broadcast", (Supplier<byte[]>) () -> Packets.ethernet(GATEWAY_MAC, GUEST_MAC,
                0x0800, Packets.ipv4(GUEST_IP, -1, 17, new byte[16], 1, 0x2000, 64)), filtered),
            Arguments.of("ICMP to broadcast", (Supplier<byte[]>) () -> Packets.ethernet(GATEWAY_MAC, GUEST_MAC,
                0x0800, Packets.ipv4(GUEST_IP, -1, 1, Packets.icmpEcho(8, 1, 1, new byte[0]))), filtered),
            Arguments.of("ARP cut", (Supplier<byte[]>) () -> Arrays.copyOf(Packets.guestArpRequest(GATEWAY), 20),
                malformed));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void droppedAndCounted(String name, Supplier<byte[]> frame, ToLongFunction<StackStats> counter) {
        h.send(frame.get());
        h.assertNoFrame();
        assertEquals(0, h.host.sockets().size(), name + ": nothing reaches the host");
        assertEquals(1, counter.applyAsLong(h.stats()), name);
        assertEquals(1, h.stats().frames().in());
    }

    @Test
    void nullFrameIsIgnored() {
        h.stack.onFrame(null);
        assertEquals(0, h.stats().frames().in());
    }

    @Test
    void frameOfAClosedStackIsReleased() {
        h.stack.close();
        ByteBuf frame = h.alloc.buffer().writeBytes(udpFrame());
        h.stack.onFrame(frame);
        assertEquals(0, frame.refCnt());
        h.stack.onTimer();
    }
}
