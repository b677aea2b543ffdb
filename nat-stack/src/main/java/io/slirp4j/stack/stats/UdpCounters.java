package io.slirp4j.stack.stats;

/** The UDP NAT and UDP port forwards. Confined to the stack's event loop, hence plain fields. */
public final class UdpCounters {
    /** Datagrams sent to host sockets. */
    public long toHost;
    /** Datagrams sent to the guest. */
    public long toGuest;
    public long flowsOpened;
    public long flowsExpired;
    /** Datagrams dropped because the flow table was full. */
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
        long flowLimitDrops, long forwardedPeers, long forwardDrops) {}

    public Snapshot snapshot(int flowsOpen) {
        return new Snapshot(toHost, toGuest, flowsOpen, flowsOpened, flowsExpired, flowLimitDrops, forwardedPeers,
            forwardDrops);
    }
}
