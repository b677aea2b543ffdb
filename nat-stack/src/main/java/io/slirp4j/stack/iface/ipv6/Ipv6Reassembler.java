package io.slirp4j.stack.iface.ipv6;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.slirp4j.stack.iface.FragmentAssembly;
import io.slirp4j.stack.stats.Ipv6Counters;
import io.slirp4j.stack.wire.Ipv6Packet;
import java.util.ArrayList;
import java.util.List;

/**
 * Reassembly of the guest's fragmented IPv6 packets (RFC 8200 4.5).
 *
 * <p>Theory of operation: fragments with the same source, destination and identification belong to one packet,
 * put together by a {@link FragmentAssembly}. The first fragment brings the unfragmentable part (the fixed header
 * and the extension headers before the fragment header) to the front; when the packet is complete, the Next
 * Header field that named the fragment header takes the fragment header's Next Header, and the payload length
 * becomes the reassembled one, so the packet reads as if it had never been fragmented (the fragment header
 * itself is not kept).
 *
 * <p>Bounds as for IPv4 ({@link io.slirp4j.stack.iface.ipv4.Ipv4Reassembler}): a packet's payload at most 65535 bytes, a non-final
 * fragment a multiple of 8 bytes, at most {@value #MAX_IN_PROGRESS} packets in progress (a new one evicts the
 * oldest), each at most {@value #TIMEOUT_MS} ms (RFC 8200's 60 s, halved as for IPv4); overlaps abandon the packet
 * (RFC 5722).
 *
 * <p>Ownership: {@link #offer} borrows the fragment; a completed packet is returned to the caller, who must
 * release it. {@link #clear()} releases everything in progress.
 */
public final class Ipv6Reassembler {
    public static final int MAX_IN_PROGRESS = 64;
    public static final long TIMEOUT_MS = 30_000;
    /** The most extension headers before a fragment header that this stack accepts fit in 2 KiB. */
    private static final int BASE = 2048;

    private final ByteBufAllocator alloc;
    private final Ipv6Counters counters;
    private final List<Packet> inProgress = new ArrayList<>();

    public Ipv6Reassembler(ByteBufAllocator alloc, Ipv6Counters counters) {
        this.alloc = alloc;
        this.counters = counters;
    }

    /**
     * Adds one fragment ({@link Ipv6Packet#isFragment()}). Returns the completed packet (reader index at its IPv6
     * header, writer index at its end; the caller owns it), or null while pieces are missing or if the fragment
     * was rejected.
     */
    public ByteBuf offer(Ipv6Packet fragment, long now) {
        int start = fragment.fragmentOffset();
        int length = fragment.payloadLength();
        int end = start + length;
        boolean more = fragment.moreFragments();
        int unfragmentable = fragment.fragmentHeaderOffset() - fragment.offset();
        Packet packet = find(fragment);
        if ((more && (length == 0 || (length & 7) != 0)) || unfragmentable > BASE
            || unfragmentable - Ipv6Packet.HEADER_LENGTH + end > Ipv6Packet.MAX_PAYLOAD_LENGTH) {
            if (packet != null) {
                abandon(packet);
            } else {
                counters.reassemblyFailures++;
            }
            return null;
        }
        if (packet == null) {
            if (inProgress.size() >= MAX_IN_PROGRESS) {
                abandon(inProgress.get(0));
            }
            packet = new Packet(fragment, new FragmentAssembly(alloc, BASE,
                Ipv6Packet.HEADER_LENGTH + Ipv6Packet.MAX_PAYLOAD_LENGTH, now));
            inProgress.add(packet);
        }
        // Only the first fragment whose header part is kept says where its Next Header is: a duplicate first fragment
        // (the assembly ignores its bytes) may carry other extension headers, and must not move that position.
        boolean keepsHeader = start == 0 && packet.assembly.headerLength() == 0;
        if (keepsHeader) {
            packet.nextHeaderAt = fragment.fragmentPrecedingNextHeaderOffset() - fragment.offset();
            packet.protocol = fragment.protocol();
        }
        if (!packet.assembly.add(fragment.buffer(), fragment.payloadOffset(), start, end, more, fragment.offset(),
            unfragmentable)) {
            abandon(packet);
            return null;
        }
        if (!packet.assembly.complete()) {
            return null;
        }
        inProgress.remove(packet);
        ByteBuf whole = packet.finish();
        if (whole == null) {
            counters.reassemblyFailures++;
        } else {
            counters.datagramsReassembled++;
        }
        return whole;
    }

    /** Abandons packets older than the timeout. */
    public void expire(long now) {
        for (int i = inProgress.size() - 1; i >= 0; i--) {
            Packet p = inProgress.get(i);
            if (now - p.assembly.createdAt >= TIMEOUT_MS) {
                abandon(p);
            }
        }
    }

    public int inProgress() {
        return inProgress.size();
    }

    public void clear() {
        for (Packet p : inProgress) {
            p.assembly.release();
        }
        inProgress.clear();
    }

    private Packet find(Ipv6Packet f) {
        for (int i = 0; i < inProgress.size(); i++) {
            Packet p = inProgress.get(i);
            if (p.identification == f.identification() && p.sourceLo == f.sourceLo() && p.sourceHi == f.sourceHi()
                && p.destinationLo == f.destinationLo() && p.destinationHi == f.destinationHi()) {
                return p;
            }
        }
        return null;
    }

    private void abandon(Packet p) {
        inProgress.remove(p);
        p.assembly.release();
        counters.reassemblyFailures++;
    }

    private static final class Packet {
        final long sourceHi;
        final long sourceLo;
        final long destinationHi;
        final long destinationLo;
        final int identification;
        final FragmentAssembly assembly;
        /** From the first fragment: where the Next Header naming the fragment header is, and what it must say. */
        int nextHeaderAt = -1;
        int protocol;

        Packet(Ipv6Packet first, FragmentAssembly assembly) {
            sourceHi = first.sourceHi();
            sourceLo = first.sourceLo();
            destinationHi = first.destinationHi();
            destinationLo = first.destinationLo();
            identification = first.identification();
            this.assembly = assembly;
        }

        /** The whole packet, or null (everything released) if its header part cannot be patched. */
        ByteBuf finish() {
            if (nextHeaderAt < Ipv6Packet.NEXT_HEADER_FIELD || nextHeaderAt >= assembly.headerLength()) {
                assembly.release();
                return null;
            }
            int payloadLength = assembly.headerLength() - Ipv6Packet.HEADER_LENGTH + assembly.payloadLength();
            ByteBuf data = assembly.take();
            int at = data.readerIndex();
            Ipv6Packet.setPayloadLength(data, at, payloadLength);
            data.setByte(at + nextHeaderAt, protocol);
            return data;
        }
    }
}
