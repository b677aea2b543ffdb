package io.slirp4j.stack.stats;

/** IPv6 from and to the guest. Confined to the stack's event loop, hence plain fields. */
public final class Ipv6Counters {
    /** Packets from the guest that passed validation and the address filter. */
    public long packetsIn;
    /** Fragments from the guest. */
    public long fragmentsIn;
    /** Packets reassembled from the guest's fragments. */
    public long datagramsReassembled;
    /** Partial packets abandoned: timeouts, overlaps, oversize, eviction when too many are in progress. */
    public long reassemblyFailures;
    /** Packets to the guest. */
    public long packetsOut;
    /** Fragments to the guest (packets larger than the link's MTU). */
    public long fragmentsOut;

    /**
     * An immutable copy; see {@link Ipv6Counters} for what each one counts.
     *
     * @param reassembliesInProgress a gauge: partial packets held now
     */
    public record Snapshot(long packetsIn, long fragmentsIn, long datagramsReassembled, long reassemblyFailures,
        long reassembliesInProgress, long packetsOut, long fragmentsOut) {}

    public Snapshot snapshot(int reassembliesInProgress) {
        return new Snapshot(packetsIn, fragmentsIn, datagramsReassembled, reassemblyFailures, reassembliesInProgress,
            packetsOut, fragmentsOut);
    }
}
