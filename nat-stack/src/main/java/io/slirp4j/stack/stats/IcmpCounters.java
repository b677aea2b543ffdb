package io.slirp4j.stack.stats;

/** ICMP the stack sends to the guest. Confined to the stack's event loop, hence plain fields. */
public final class IcmpCounters {
    /** Echo replies for the guest's pings of the stack's own addresses. */
    public long echoReplies;
    /** Destination-unreachable errors sent to the guest. */
    public long errorsSent;

    /** An immutable copy; see {@link IcmpCounters} for what each one counts. */
    public record Snapshot(long echoReplies, long errorsSent) {}

    public Snapshot snapshot() {
        return new Snapshot(echoReplies, errorsSent);
    }
}
