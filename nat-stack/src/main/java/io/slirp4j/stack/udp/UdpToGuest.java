package io.slirp4j.stack.udp;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.FrameOffload;
import io.slirp4j.stack.LinkOffloads;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.stats.UdpCounters;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.InternetChecksum;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.UdpDatagram;

/**
 * Datagrams from the host to the guest, framed, and batched where the link can cut them (UDP segmentation).
 *
 * <p>Theory of operation: {@link #add} frames a datagram but holds the frame back; while the next datagrams belong
 * to the same flow (addresses and ports) and have the same payload size, they are appended to the held frame,
 * and {@link #flush} (at the end of the host socket's read loop, before the event loop turns to anything else)
 * sends it as one frame that the link cuts into those datagrams again, as the kernel's UDP GSO does: one write to the
 * tap, and one pass through the guest's IP layer, for up to {@link LinkOffloads#MAX_UDP_SEGMENTS} datagrams. A
 * shorter datagram may end a batch (the last segment may be short); a longer one, another flow, or a full batch
 * sends what is held first. Only datagrams that fit the MTU as they are join a batch (no fragments), and none of
 * zero bytes. A frame of one datagram goes out as before, its checksum left to the link when it can complete it.
 * Order is kept: datagrams leave in the order they were added.
 *
 * <p>The held frame starts at a single datagram's size and grows once, when a second datagram joins, to the most a
 * batch of that size can need.
 */
final class UdpToGuest {
    private final GuestLink link;
    private final UdpCounters counters;
    private ByteBuf frame;
    private boolean ipv6;
    private long sourceHi;
    private long sourceLo;
    private int sourcePort;
    private long destinationHi;
    private long destinationLo;
    private int destinationPort;
    /** Where the UDP header is in {@link #frame} (from its first byte, the Ethernet header's). */
    private int udpOffset;
    private int segmentSize;
    private int count;
    private int payloadBytes;
    /** A shorter datagram ended the batch. */
    private boolean ended;

    UdpToGuest(GuestLink link, UdpCounters counters) {
        this.link = link;
        this.counters = counters;
    }

    /** One datagram to the guest (the payload is borrowed: copied into the frame). Sends what it cannot join. */
    void add(long sourceHi, long sourceLo, int sourcePort, long destinationHi, long destinationLo,
        int destinationPort, ByteBuf payload) {
        int length = payload.readableBytes();
        if (frame != null && joins(sourceHi, sourceLo, sourcePort, destinationHi, destinationLo, destinationPort,
            length)) {
            append(payload, length);
            return;
        }
        flush();
        ByteBuf f = link.newFrame(Ipv4Packet.PROTOCOL_UDP, Ipv4Packet.DEFAULT_TTL, sourceHi, sourceLo,
            destinationHi, destinationLo, UdpDatagram.HEADER_LENGTH + length);
        udpOffset = f.writerIndex();
        f.writerIndex(udpOffset + UdpDatagram.HEADER_LENGTH);
        f.writeBytes(payload, payload.readerIndex(), length);
        frame = f;
        ipv6 = !InAny.is4(sourceHi, sourceLo);
        this.sourceHi = sourceHi;
        this.sourceLo = sourceLo;
        this.sourcePort = sourcePort;
        this.destinationHi = destinationHi;
        this.destinationLo = destinationLo;
        this.destinationPort = destinationPort;
        segmentSize = length;
        count = 1;
        payloadBytes = length;
        ended = false;
    }

    private boolean joins(long sourceHi, long sourceLo, int sourcePort, long destinationHi, long destinationLo,
        int destinationPort, int length) {
        return !ended && length > 0 && length <= segmentSize
            && count < LinkOffloads.MAX_UDP_SEGMENTS && payloadBytes + length <= UdpDatagram.MAX_PAYLOAD
            && sourcePort == this.sourcePort && destinationPort == this.destinationPort
            && sourceLo == this.sourceLo && sourceHi == this.sourceHi
            && destinationLo == this.destinationLo && destinationHi == this.destinationHi
            && link.offloads().udpSegmentation()
            // the IP header lies between the Ethernet header and the UDP header, in either family
            && udpOffset - GuestLink.IPV4_OFFSET + UdpDatagram.HEADER_LENGTH + segmentSize <= link.mtu();
    }

    private void append(ByteBuf payload, int length) {
        if (count == 1) {
            int most = Math.min(LinkOffloads.MAX_UDP_SEGMENTS * segmentSize, UdpDatagram.MAX_PAYLOAD);
            frame.capacity(udpOffset + UdpDatagram.HEADER_LENGTH + most);
        }
        frame.writeBytes(payload, payload.readerIndex(), length);
        count++;
        payloadBytes += length;
        ended = length < segmentSize;
    }

    /** Sends the held frame, if any. */
    void flush() {
        ByteBuf f = frame;
        if (f == null) {
            return;
        }
        frame = null;
        long pseudoHeader = InternetChecksum.addPseudoHeader(0, sourceHi, sourceLo, destinationHi, destinationLo,
            Ipv4Packet.PROTOCOL_UDP, 0);
        counters.toGuest += count;
        if (count > 1) {
            UdpDatagram.emitHeaderPartial(f, udpOffset, sourcePort, destinationPort, payloadBytes, pseudoHeader);
            link.send(f, FrameOffload.udpSegmentation(ipv6, udpOffset, udpOffset + UdpDatagram.HEADER_LENGTH,
                segmentSize));
        } else if (link.offloads().partialChecksums()) {
            UdpDatagram.emitHeaderPartial(f, udpOffset, sourcePort, destinationPort, payloadBytes, pseudoHeader);
            link.send(f, FrameOffload.checksum(udpOffset, 6));
        } else {
            UdpDatagram.emitHeader(f, udpOffset, sourcePort, destinationPort, payloadBytes, pseudoHeader);
            link.send(f);
        }
    }

    /** Drops the held frame (the stack is closing). */
    void release() {
        if (frame != null) {
            frame.release();
            frame = null;
        }
    }
}
