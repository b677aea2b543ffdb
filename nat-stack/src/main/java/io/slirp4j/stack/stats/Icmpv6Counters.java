package io.slirp4j.stack.stats;

/** ICMPv6 and neighbour discovery with the guest. Confined to the stack's event loop, hence plain fields. */
public final class Icmpv6Counters {
    /** Echo replies for the guest's pings of the stack's own addresses. */
    public long echoReplies;
    /** Errors (destination unreachable, packet too big, time exceeded, parameter problem) sent to the guest. */
    public long errorsSent;
    /** Neighbour solicitations from the guest for one of the stack's addresses, each answered. */
    public long neighborSolicitations;
    /** Neighbour solicitations sent to find a guest address's MAC. */
    public long neighborSolicitationsSent;
    /** Router solicitations from the guest. */
    public long routerSolicitations;
    /** Router advertisements sent (solicited and periodic). */
    public long routerAdvertisements;

    /** An immutable copy; see {@link Icmpv6Counters} for what each one counts. */
    public record Snapshot(long echoReplies, long errorsSent, long neighborSolicitations,
        long neighborSolicitationsSent, long routerSolicitations, long routerAdvertisements) {}

    public Snapshot snapshot() {
        return new Snapshot(echoReplies, errorsSent, neighborSolicitations, neighborSolicitationsSent,
            routerSolicitations, routerAdvertisements);
    }
}
