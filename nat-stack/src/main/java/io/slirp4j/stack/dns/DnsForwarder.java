package io.slirp4j.stack.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.LongObjectHashMap;
import io.slirp4j.stack.nat.NatPolicy;
import io.slirp4j.stack.wire.DnsHeader;
import io.slirp4j.stack.stats.DnsCounters;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The DNS forwarder behind N+3:53 (UDP).
 *
 * <p>Theory of operation: the UDP NAT hands over each query the guest sends to N+3:53 together with the flow
 * (guest address and port) it came from and the host's current nameservers. The query is copied and sent,
 * through that flow's own host socket, to the preferred nameserver: the one that last worked, initially the
 * first. It is remembered under (flow, DNS id). A datagram arriving on the flow's socket that carries a
 * response (QR set) with that id from one of the nameservers the query was meant for is the answer: the NAT
 * delivers it to the guest as if from N+3:53 and the query is forgotten. Every timer tick, a query unanswered
 * for {@value #RETRY_AFTER_MS} ms is resent, the same bytes, to the next nameserver in the list, which becomes
 * the preferred one, so a dead first nameserver costs one second once, not once per query (slirp4netns only ever
 * uses the first). After every nameserver had its second, the query is dropped and the guest's resolver retries
 * on its own schedule. A guest retry with the same id replaces the pending query and starts over.
 *
 * <p>Flows are seen through {@link ClientFlow}, so this class knows nothing of sockets. Ownership: the query
 * bytes passed to {@link #forward} are borrowed and copied; each send hands a retained duplicate of the copy to
 * the flow; the copy is released when the query is answered, abandoned or replaced, or its flow closes.
 */
public final class DnsForwarder {
    public static final long RETRY_AFTER_MS = 1000;
    public static final int MAX_PENDING = 1024;
    /** The fixed DNS header; anything shorter is not a query. */
    public static final int HEADER_LENGTH = 12;

    /** The guest-side end of a query: a UDP NAT flow with its host sockets. */
    public interface ClientFlow {
        /** Unique for the life of the stack, never reused. */
        long flowId();

        /** Sends {@code query} (ownership passes) from this flow's host socket to {@code server}. */
        void sendUpstream(InetSocketAddress server, ByteBuf query);
    }

    private final ByteBufAllocator alloc;
    private final DnsCounters counters;
    private final LongObjectHashMap<Query> pending = new LongObjectHashMap<>();
    private final List<Query> scratch = new ArrayList<>();
    private InetSocketAddress preferred;

    public DnsForwarder(ByteBufAllocator alloc, DnsCounters counters) {
        this.alloc = alloc;
        this.counters = counters;
    }

    /**
     * Forwards the query in {@code length} bytes at absolute {@code offset} of {@code buf} (borrowed) from
     * {@code flow} to {@code servers} (non-empty, immutable).
     */
    public void forward(ClientFlow flow, List<InetSocketAddress> servers, ByteBuf buf, int offset, int length,
        long now) {
        if (length < HEADER_LENGTH || servers.isEmpty()) {
            counters.dropped++;
            return;
        }
        int id = DnsHeader.id(buf, offset);
        long key = key(flow, id);
        Query replaced = pending.remove(key);
        if (replaced != null) {
            replaced.release();
        }
        if (pending.size() >= MAX_PENDING) {
            counters.dropped++;
            return;
        }
        int start = NatPolicy.firstNameserver(servers, preferred);
        ByteBuf copy = alloc.buffer(length);
        copy.writeBytes(buf, offset, length);
        Query query = new Query(flow, key, copy, servers, start, now);
        pending.put(key, query);
        counters.queries++;
        flow.sendUpstream(NatPolicy.nameserver(servers, start, 0), copy.retainedDuplicate());
    }

    /**
     * True if {@code payload} (borrowed) from {@code from} answers a query pending on {@code flow}; the query is
     * then forgotten and the caller delivers the payload as from N+3:53.
     */
    public boolean takeAnswer(ClientFlow flow, InetSocketAddress from, ByteBuf payload) {
        if (pending.isEmpty() || payload.readableBytes() < HEADER_LENGTH
            || !DnsHeader.isResponse(payload, payload.readerIndex())) {
            return false;
        }
        long key = key(flow, DnsHeader.id(payload, payload.readerIndex()));
        Query query = pending.get(key);
        if (query == null || !query.servers.contains(from)) {
            return false;
        }
        pending.remove(key);
        query.release();
        counters.answers++;
        return true;
    }

    /** Resends overdue queries to their next nameserver, or gives them up. */
    public void onTimer(long now) {
        if (pending.isEmpty()) {
            return;
        }
        for (Query query : pending.values()) {
            if (now - query.sentAt >= RETRY_AFTER_MS) {
                scratch.add(query);
            }
        }
        try {
            for (Query query : scratch) {
                InetSocketAddress next = NatPolicy.nameserver(query.servers, query.start, query.attempts);
                if (next == null) {
                    pending.remove(query.key);
                    query.release();
                    counters.timeouts++;
                } else {
                    query.attempts++;
                    query.sentAt = now;
                    preferred = next;
                    counters.retries++;
                    query.flow.sendUpstream(next, query.bytes.retainedDuplicate());
                }
            }
        } finally {
            scratch.clear();
        }
    }

    /** Drops every query pending on a flow that is closing. */
    public void forget(ClientFlow flow) {
        if (pending.isEmpty()) {
            return;
        }
        for (Query query : pending.values()) {
            if (query.flow == flow) {
                scratch.add(query);
            }
        }
        for (Query query : scratch) {
            pending.remove(query.key);
            query.release();
        }
        scratch.clear();
    }

    public int pending() {
        return pending.size();
    }

    /** The nameserver new queries go to first, or null before any failover. */
    public InetSocketAddress preferred() {
        return preferred;
    }

    public void close() {
        for (Query query : pending.values()) {
            query.release();
        }
        pending.clear();
    }

    private static long key(ClientFlow flow, int id) {
        return (flow.flowId() << 16) | id;
    }

    private static final class Query {
        final ClientFlow flow;
        final long key;
        final List<InetSocketAddress> servers;
        final int start;
        ByteBuf bytes;
        int attempts = 1;
        long sentAt;

        Query(ClientFlow flow, long key, ByteBuf bytes, List<InetSocketAddress> servers, int start, long now) {
            this.flow = flow;
            this.key = key;
            this.bytes = bytes;
            this.servers = servers;
            this.start = start;
            this.sentAt = now;
        }

        void release() {
            if (bytes != null) {
                bytes.release();
                bytes = null;
            }
        }
    }
}
