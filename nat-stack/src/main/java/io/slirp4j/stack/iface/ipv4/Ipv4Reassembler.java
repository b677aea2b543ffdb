package io.slirp4j.stack.iface.ipv4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.slirp4j.stack.iface.FragmentAssembly;
import io.slirp4j.stack.stats.Ipv4Counters;
import io.slirp4j.stack.wire.Ipv4Packet;
import java.util.ArrayList;
import java.util.List;

/**
 * Reassembly of fragmented IPv4 datagrams from the guest (RFC 791, with RFC 815's idea of tracking what has
 * arrived rather than what is missing).
 *
 * <p>Theory of operation: fragments with the same (source, destination, protocol, identification) belong to one
 * datagram, put together by a {@link FragmentAssembly} (the bytes and the ranges that arrived; the first
 * fragment's header goes in front). When it is complete, its header gets the whole datagram's total length, its
 * fragment fields are cleared and its checksum recomputed.
 *
 * <p>Bounds, because fragments are the classic way to make a stack hoard memory: a datagram may not exceed
 * 65535 bytes (a "ping of death" is abandoned), at most {@value #MAX_IN_PROGRESS} datagrams are in progress (a
 * new one evicts the oldest), each lives at most {@value #TIMEOUT_MS} ms, and holds at most
 * {@value #MAX_RANGES} disjoint ranges. A fragment that overlaps data already received only partly abandons the
 * whole datagram (as Linux does since FragmentSmack); one that lies entirely within received data is a duplicate
 * and ignored.
 *
 * <p>Ownership: {@link #offer} borrows the fragment; a completed datagram is returned to the caller, who must
 * release it. {@link #clear()} releases everything in progress.
 */
public final class Ipv4Reassembler {
    public static final int MAX_IN_PROGRESS = 64;
    public static final long TIMEOUT_MS = 30_000;
    static final int MAX_RANGES = FragmentAssembly.MAX_RANGES;
    /** Payload offset 0 in a reassembly buffer: room for the longest possible header before it. */
    private static final int BASE = Ipv4Packet.MAX_HEADER_LENGTH;

    private final ByteBufAllocator alloc;
    private final Ipv4Counters counters;
    private final List<Datagram> inProgress = new ArrayList<>();

    public Ipv4Reassembler(ByteBufAllocator alloc, Ipv4Counters counters) {
        this.alloc = alloc;
        this.counters = counters;
    }

    /**
     * Adds one fragment. Returns the completed datagram (reader index at its IP header, writer index at its end;
     * the caller owns it), or null while pieces are missing or if the fragment was rejected.
     */
    public ByteBuf offer(Ipv4Packet fragment, long now) {
        int start = fragment.fragmentOffset();
        int length = fragment.payloadLength();
        int end = start + length;
        boolean more = fragment.moreFragments();
        Datagram datagram = find(fragment);
        // Non-final fragments must carry a multiple of 8 bytes, and nothing may end beyond a 65535-byte datagram.
        if ((more && (length == 0 || (length & 7) != 0))
            || end + Ipv4Packet.MIN_HEADER_LENGTH > Ipv4Packet.MAX_TOTAL_LENGTH) {
            if (datagram != null) {
                abandon(datagram);
            } else {
                counters.reassemblyFailures++;
            }
            return null;
        }
        if (datagram == null) {
            if (inProgress.size() >= MAX_IN_PROGRESS) {
                abandon(inProgress.get(0));
            }
            datagram = new Datagram(fragment, new FragmentAssembly(alloc, BASE, Ipv4Packet.MAX_TOTAL_LENGTH, now));
            inProgress.add(datagram);
        }
        if (!datagram.add(fragment, start, end, more)) {
            abandon(datagram);
            return null;
        }
        if (!datagram.assembly.complete()) {
            return null;
        }
        inProgress.remove(datagram);
        counters.datagramsReassembled++;
        return datagram.finish();
    }

    /** Abandons datagrams older than the timeout. */
    public void expire(long now) {
        for (int i = inProgress.size() - 1; i >= 0; i--) {
            Datagram d = inProgress.get(i);
            if (now - d.assembly.createdAt >= TIMEOUT_MS) {
                abandon(d);
            }
        }
    }

    public int inProgress() {
        return inProgress.size();
    }

    public void clear() {
        for (Datagram d : inProgress) {
            d.release();
        }
        inProgress.clear();
    }

    private Datagram find(Ipv4Packet p) {
        for (int i = 0; i < inProgress.size(); i++) {
            Datagram d = inProgress.get(i);
            if (d.identification == p.identification() && d.source == p.source() && d.destination == p.destination()
                && d.protocol == p.protocol()) {
                return d;
            }
        }
        return null;
    }

    private void abandon(Datagram d) {
        inProgress.remove(d);
        d.release();
        counters.reassemblyFailures++;
    }

    /** A datagram in progress: its identity and its {@link FragmentAssembly}. */
    private static final class Datagram {
        final int source;
        final int destination;
        final int protocol;
        final int identification;
        final FragmentAssembly assembly;

        Datagram(Ipv4Packet first, FragmentAssembly assembly) {
            source = first.source();
            destination = first.destination();
            protocol = first.protocol();
            identification = first.identification();
            this.assembly = assembly;
        }

        boolean add(Ipv4Packet fragment, int start, int end, boolean more) {
            return assembly.add(fragment.buffer(), fragment.payloadOffset(), start, end, more, fragment.offset(),
                fragment.headerLength());
        }

        /** Makes the buffer hold exactly the datagram, as if it had never been fragmented, and hands it over. */
        ByteBuf finish() {
            int totalLength = assembly.headerLength() + assembly.payloadLength();
            ByteBuf data = assembly.take();
            int headerStart = data.readerIndex();
            Ipv4Packet.setTotalLength(data, headerStart, totalLength);
            Ipv4Packet.setFlagsAndFragmentOffset(data, headerStart,
                Ipv4Packet.flagsAndFragmentOffset(data, headerStart) & Ipv4Packet.FLAG_DONT_FRAGMENT);
            Ipv4Packet.updateChecksum(data, headerStart);
            return data;
        }

        void release() {
            assembly.release();
        }
    }
}
