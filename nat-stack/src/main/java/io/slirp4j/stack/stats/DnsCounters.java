package io.slirp4j.stack.stats;

/** The DNS forwarder (UDP queries to the DNS address). Confined to the stack's event loop, hence plain fields. */
public final class DnsCounters {
    /** Queries forwarded to a nameserver. */
    public long queries;
    /** Answers relayed to the guest. */
    public long answers;
    /** Queries sent again, to the next nameserver. */
    public long retries;
    /** Queries abandoned after every nameserver was tried. */
    public long timeouts;
    /** Queries refused with ICMP port unreachable because the host has no nameservers. */
    public long noNameservers;
    /** Queries dropped before forwarding: too short to be DNS, or too many pending. */
    public long dropped;

    /**
     * An immutable copy; see {@link DnsCounters} for what each one counts.
     *
     * @param pending a gauge: queries waiting for an answer now
     */
    public record Snapshot(long queries, long answers, long retries, long timeouts, long noNameservers, long dropped,
        long pending) {}

    public Snapshot snapshot(int pending) {
        return new Snapshot(queries, answers, retries, timeouts, noNameservers, dropped, pending);
    }
}
