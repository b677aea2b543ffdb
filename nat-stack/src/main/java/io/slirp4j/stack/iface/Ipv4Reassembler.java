package io.slirp4j.stack.iface;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.slirp4j.stack.stats.Ipv4Counters;
import io.slirp4j.stack.wire.Ipv4Packet;
import java.util.ArrayList;
import java.util.List;

/**
 * Reassembly of fragmented IPv4 datagrams from the guest (RFC 791, with RFC 815's idea of tracking what has
 * arrived rather than what is missing).
 *
 * <p>Theory of operation: fragments with the same (source, destination, protocol, identification) belong to one
 * datagram. Each datagram in progress owns one buffer: payload bytes go to {@code BASE + fragment offset}, and
 * when the first fragment arrives its header is copied just before {@code BASE}, so the finished datagram is
 * contiguous without a second copy. The arrived ranges are kept sorted and merged; the datagram is complete
 * when the last fragment (MF=0) fixed the length and one range covers it all.
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
    static final int MAX_RANGES = 64;
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
            datagram = new Datagram(fragment, now);
            inProgress.add(datagram);
        }
        if (!datagram.add(fragment, start, end, more)) {
            abandon(datagram);
            return null;
        }
        if (!datagram.complete()) {
            return null;
        }
        inProgress.remove(datagram);
        return datagram.finish();
    }

    /** Abandons datagrams older than the timeout. */
    public void expire(long now) {
        for (int i = inProgress.size() - 1; i >= 0; i--) {
            Datagram d = inProgress.get(i);
            if (now - d.createdAt >= TIMEOUT_MS) {
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

    private final class Datagram {
        final int source;
        final int destination;
        final int protocol;
        final int identification;
        final long createdAt;
        ByteBuf data;
        int headerLength;
        /** Payload length, known once the fragment with MF=0 arrived; -1 before. */
        int payloadLength = -1;
        /** Sorted, disjoint, non-adjacent [starts[i], ends[i]) byte ranges received. */
        final int[] starts = new int[MAX_RANGES];
        final int[] ends = new int[MAX_RANGES];
        int ranges;

        Datagram(Ipv4Packet first, long now) {
            source = first.source();
            destination = first.destination();
            protocol = first.protocol();
            identification = first.identification();
            createdAt = now;
        }

        /** False when the datagram must be abandoned. */
        boolean add(Ipv4Packet fragment, int start, int end, boolean more) {
            int maxEnd = ranges == 0 ? 0 : ends[ranges - 1];
            if (!more) {
                if ((payloadLength >= 0 && payloadLength != end) || end < maxEnd) {
                    return false;
                }
                payloadLength = end;
            } else if (payloadLength >= 0 && end > payloadLength) {
                return false;
            }
            int i = 0;
            for (int k = 0; k < ranges; k++) {
                if (starts[k] <= start && end <= ends[k]) {
                    return true; // a duplicate: everything in it has arrived already
                }
                if (starts[k] < end && ends[k] > start) {
                    return false; // a partial overlap
                }
                if (starts[k] < start) {
                    i = k + 1;
                }
            }
            boolean first = fragment.fragmentOffset() == 0;
            int header = first ? fragment.headerLength() : headerLength;
            if (header > 0 && header + Math.max(end, maxEnd) > Ipv4Packet.MAX_TOTAL_LENGTH) {
                return false;
            }
            if (start == end) {
                return true; // an empty last fragment only tells the length
            }
            ensureCapacity(BASE + end);
            data.setBytes(BASE + start, fragment.buffer(), fragment.payloadOffset(), end - start);
            if (first) {
                headerLength = header;
                data.setBytes(BASE - headerLength, fragment.buffer(), fragment.offset(), headerLength);
            }
            return insertRange(i, start, end);
        }

        /** Records [start, end) at index i (ranges before i end at or before start), merging with neighbours. */
        private boolean insertRange(int i, int start, int end) {
            boolean joinsPrevious = i > 0 && ends[i - 1] == start;
            boolean joinsNext = i < ranges && starts[i] == end;
            if (joinsPrevious && joinsNext) {
                ends[i - 1] = ends[i];
                System.arraycopy(starts, i + 1, starts, i, ranges - i - 1);
                System.arraycopy(ends, i + 1, ends, i, ranges - i - 1);
                ranges--;
            } else if (joinsPrevious) {
                ends[i - 1] = end;
            } else if (joinsNext) {
                starts[i] = start;
            } else {
                if (ranges == MAX_RANGES) {
                    return false;
                }
                System.arraycopy(starts, i, starts, i + 1, ranges - i);
                System.arraycopy(ends, i, ends, i + 1, ranges - i);
                starts[i] = start;
                ends[i] = end;
                ranges++;
            }
            return true;
        }

        private void ensureCapacity(int needed) {
            if (data == null) {
                data = alloc.buffer(Math.max(needed, 2048), BASE + Ipv4Packet.MAX_TOTAL_LENGTH);
            } else if (data.capacity() < needed) {
                data.capacity(Math.min(Math.max(needed, data.capacity() * 2), data.maxCapacity()));
            }
        }

        boolean complete() {
            return payloadLength >= 0 && headerLength > 0 && ranges == 1 && starts[0] == 0
                && ends[0] == payloadLength;
        }

        /** Makes the buffer hold exactly the datagram, as if it had never been fragmented, and hands it over. */
        ByteBuf finish() {
            int headerStart = BASE - headerLength;
            int totalLength = headerLength + payloadLength;
            data.setShort(headerStart + 2, totalLength);
            data.setShort(headerStart + 6, data.getUnsignedShort(headerStart + 6) & Ipv4Packet.FLAG_DONT_FRAGMENT);
            Ipv4Packet.updateChecksum(data, headerStart);
            data.setIndex(headerStart, BASE + payloadLength);
            ByteBuf result = data;
            data = null;
            counters.datagramsReassembled++;
            return result;
        }

        void release() {
            if (data != null) {
                data.release();
                data = null;
            }
        }
    }
}
