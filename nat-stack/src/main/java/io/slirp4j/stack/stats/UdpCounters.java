package io.slirp4j.stack.stats;

/** The UDP NAT and UDP port forwards. Confined to the stack's event loop, hence plain fields. */
public final class UdpCounters {
    /** Datagrams sent to host sockets. */
    public long toHost;
    /** Datagrams sent to the guest. */
    public long toGuest;
    public long flowsOpened;
    public long flowsExpired;
    /** Flows closed to make room for a new one in a full table. */
    public long flowsEvicted;
    /** Datagrams dropped because the flow table was full of forward peers, which are not evicted. */
    public long flowLimitDrops;
    /** Remote peers of UDP port forwards that got a flow to the guest. */
    public long forwardedPeers;
    /** Datagrams from forward peers dropped: their source as the guest would see it was taken, or the limit hit. */
    public long forwardDrops;

    /**
     * An immutable copy; see {@link UdpCounters} for what each one counts.
     *
     * @param flowsOpen a gauge: flows in the table now
     */
    public record Snapshot(long toHost, long toGuest, long flowsOpen, long flowsOpened, long flowsExpired,
        long flowsEvicted, long flowLimitDrops, long forwardedPeers, long forwardDrops) {}

    public Snapshot snapshot(int flowsOpen) {
        return new Snapshot(toHost, toGuest, flowsOpen, flowsOpened, flowsExpired, flowsEvicted, flowLimitDrops,
            forwardedPeers, forwardDrops);
    }
}
