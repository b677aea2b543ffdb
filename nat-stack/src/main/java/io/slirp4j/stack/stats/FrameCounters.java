package io.slirp4j.stack.stats;

/**
 * Frames across the guest link, and why frames were dropped at any layer: every engine that drops a frame from
 * the guest counts it here under one reason. Confined to the stack's event loop, hence plain fields.
 */
public final class FrameCounters {
    /** Frames from the guest. */
    public long in;
    /** Frames to the guest. */
    public long out;
    /** Headers that fail validation at any layer: lengths, versions, checksums, truncation. */
    public long droppedMalformed;
    /** Well-formed traffic the policy refuses: addresses, ports, broadcast, spoofed sources. */
    public long droppedFiltered;
    /** Well-formed traffic nobody handles yet: other EtherTypes, IP protocols, ICMP types. */
    public long droppedUnsupported;
    /** Frames to the guest dropped because its MAC was not known yet (an ARP request went out instead). */
    public long droppedUnresolved;

    /** An immutable copy; see {@link FrameCounters} for what each one counts. */
    public record Snapshot(long in, long out, long droppedMalformed, long droppedFiltered, long droppedUnsupported,
        long droppedUnresolved) {}

    public Snapshot snapshot() {
        return new Snapshot(in, out, droppedMalformed, droppedFiltered, droppedUnsupported, droppedUnresolved);
    }
}
