package io.slirp4j.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.slirp4j.stack.wire.EthernetFrame;
import io.slirp4j.stack.wire.InternetChecksum;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.Ipv6Packet;
import io.slirp4j.stack.wire.TcpSegment;
import java.util.function.Consumer;

/**
 * Finishes in software what a {@link FrameOffload} leaves to the link: for a link without offloads (a sink that
 * takes only complete frames) and for frames that must wait for the guest's MAC.
 *
 * <p>Theory of operation: a partial checksum is completed in place (the field holds the pseudo-header sum, so
 * summing the transport bytes with it gives the checksum). A TCP super-segment is cut as the kernel's GSO cuts it
 * (tcp_gso_segment): each segment copies the Ethernet, IP and TCP headers, takes the next {@code segmentSize}
 * payload bytes, and gets its own IP length (IPv4: identification + i and a new header checksum) and sequence
 * number (+ the bytes before it); its checksum field is the super-segment's partial sum with the length swapped for
 * its own, then completed. Deriving it from the field, as the kernel does, rather than summing the pseudo-header
 * anew, means a wrong partial sum from the stack shows here as a wrong checksum. FIN and PSH stay only on the last
 * segment. UDP datagrams sent as one frame are cut the same way (__udp_gso_segment): each gets its own UDP length
 * (and IP length and identification), its checksum derived from the frame's partial sum; a UDP checksum that
 * comes out 0 is sent as 0xFFFF.
 */
public final class SoftwareOffload {
    private SoftwareOffload() {}

    /**
     * Passes the frame, finished, to {@code out}: as it is for {@link FrameOffload#NONE}, completed for a partial
     * checksum, or as segments. Takes ownership of {@code frame} (a segmented one is released here).
     */
    public static void finish(ByteBuf frame, long offload, ByteBufAllocator alloc, Consumer<ByteBuf> out) {
        if (offload == FrameOffload.NONE) {
            out.accept(frame);
            return;
        }
        if (!FrameOffload.isSegmentation(offload)
            || frame.readableBytes() - FrameOffload.headersLength(offload) <= FrameOffload.segmentSize(offload)) {
            try {
                completeChecksum(frame, offload);
            } catch (RuntimeException e) {
                frame.release();
                throw e;
            }
            out.accept(frame);
            return;
        }
        try {
            segment(frame, offload, alloc, out);
        } finally {
            frame.release();
        }
    }

    /** Completes the partial checksum of {@code frame} (Ethernet header at its reader index) in place. */
    public static void completeChecksum(ByteBuf frame, long offload) {
        int start = frame.readerIndex() + FrameOffload.checksumStart(offload);
        int checksumOffset = FrameOffload.checksumOffset(offload);
        InternetChecksum.completePartial(frame, start, frame.writerIndex() - start, start + checksumOffset,
            checksumOffset == 6);
    }

    private static void segment(ByteBuf frame, long offload, ByteBufAllocator alloc, Consumer<ByteBuf> out) {
        int base = frame.readerIndex();
        int ip = EthernetFrame.HEADER_LENGTH;
        int transport = FrameOffload.checksumStart(offload); // the TCP or UDP header
        int headers = FrameOffload.headersLength(offload);
        int size = FrameOffload.segmentSize(offload);
        boolean ipv6 = FrameOffload.isIpv6(offload);
        boolean udp = FrameOffload.isUdpSegmentation(offload);
        int checksumField = transport + FrameOffload.checksumOffset(offload);
        int payload = frame.readableBytes() - headers;
        int superLength = frame.readableBytes() - transport;
        int partial = frame.getUnsignedShort(base + checksumField);
        int seq = udp ? 0 : frame.getInt(base + transport + 4);
        int flags = udp ? 0 : frame.getUnsignedByte(base + transport + 13);
        int lastFlags = TcpSegment.FIN | TcpSegment.PSH;
        int identification = ipv6 ? 0 : frame.getUnsignedShort(base + ip + 4);
        for (int done = 0, i = 0; done < payload; done += size, i++) {
            int chunk = Math.min(size, payload - done);
            boolean last = done + chunk == payload;
            ByteBuf s = alloc.buffer(headers + chunk);
            try {
                s.writeBytes(frame, base, headers).writeBytes(frame, base + headers + done, chunk);
                int transportLength = headers - transport + chunk;
                if (ipv6) {
                    Ipv6Packet.setPayloadLength(s, ip, headers - ip - Ipv6Packet.HEADER_LENGTH + chunk);
                } else {
                    Ipv4Packet.setTotalLength(s, ip, headers - ip + chunk);
                    Ipv4Packet.setIdentification(s, ip, identification + i);
                    Ipv4Packet.updateChecksum(s, ip);
                }
                if (udp) {
                    s.setShort(transport + 4, transportLength);
                } else {
                    s.setInt(transport + 4, seq + done);
                    s.setByte(transport + 13, last ? flags : flags & ~lastFlags);
                }
                // the partial sum holds the super-segment's length: take it out, put this segment's in
                s.setShort(checksumField, InternetChecksum.fold(partial + (~superLength & 0xFFFF) + transportLength));
                InternetChecksum.completePartial(s, transport, transportLength, checksumField, udp);
            } catch (RuntimeException e) {
                s.release();
                throw e;
            }
            out.accept(s);
        }
    }
}
