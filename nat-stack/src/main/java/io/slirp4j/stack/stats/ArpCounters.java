package io.slirp4j.stack.stats;

/** ARP, both ways. Confined to the stack's event loop, hence plain fields. */
public final class ArpCounters {
    /** Replies to the guest's requests for the gateway's or the DNS address's MAC. */
    public long repliesSent;
    /** Requests for the guest's MAC, sent when a frame for it could not be addressed yet. */
    public long requestsSent;

    /** An immutable copy; see {@link ArpCounters} for what each one counts. */
    public record Snapshot(long repliesSent, long requestsSent) {}

    public Snapshot snapshot() {
        return new Snapshot(repliesSent, requestsSent);
    }
}
