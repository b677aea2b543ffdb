package io.slirp4j.stack.stats;

/** IPv4 fragmentation and reassembly. Confined to the stack's event loop, hence plain fields. */
public final class Ipv4Counters {
    /** Fragments from the guest. */
    public long fragmentsIn;
    /** Datagrams reassembled from the guest's fragments. */
    public long datagramsReassembled;
    /** Partial datagrams abandoned: timeouts, overlaps, oversize, eviction when too many are in progress. */
    public long reassemblyFailures;
    /** Fragments to the guest (datagrams larger than the link's MTU). */
    public long fragmentsOut;

    /**
     * An immutable copy; see {@link Ipv4Counters} for what each one counts.
     *
     * @param reassembliesInProgress a gauge: partial datagrams held now
     */
    public record Snapshot(long fragmentsIn, long datagramsReassembled, long reassemblyFailures,
        long reassembliesInProgress, long fragmentsOut) {}

    public Snapshot snapshot(int reassembliesInProgress) {
        return new Snapshot(fragmentsIn, datagramsReassembled, reassemblyFailures, reassembliesInProgress,
            fragmentsOut);
    }
}
