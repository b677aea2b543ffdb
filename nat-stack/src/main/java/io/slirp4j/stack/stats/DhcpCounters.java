package io.slirp4j.stack.stats;

/** The DHCP server's replies. Confined to the stack's event loop, hence plain fields. */
public final class DhcpCounters {
    public long offers;
    public long acks;
    public long naks;

    /** An immutable copy. */
    public record Snapshot(long offers, long acks, long naks) {}

    public Snapshot snapshot() {
        return new Snapshot(offers, acks, naks);
    }
}
