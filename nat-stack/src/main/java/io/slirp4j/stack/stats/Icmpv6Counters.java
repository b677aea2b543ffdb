package io.slirp4j.stack.stats;

/**
 * ICMPv6 and neighbour discovery with the guest, and the guest's ICMPv6 echo to outside addresses (the counters it
 * shares with ICMP: {@link IcmpEchoCounters}). Confined to the stack's event loop, hence plain fields.
 */
public final class Icmpv6Counters extends IcmpEchoCounters {
    /** Neighbour solicitations from the guest for one of the stack's addresses, each answered. */
    public long neighborSolicitations;
    /** Neighbour solicitations sent to find a guest address's MAC. */
    public long neighborSolicitationsSent;
    /** Router solicitations from the guest. */
    public long routerSolicitations;
    /** Router advertisements sent (solicited and periodic). */
    public long routerAdvertisements;

    /**
     * An immutable copy; see {@link Icmpv6Counters} and {@link IcmpEchoCounters} for what each one counts.
     *
     * @param echoFlowsOpen a gauge: ICMPv6 echo flows (host echo sockets) open now
     */
    public record Snapshot(long echoReplies, long errorsSent, long neighborSolicitations,
        long neighborSolicitationsSent, long routerSolicitations, long routerAdvertisements, long echoToHost,
        long echoRepliesFromHost, long errorsFromHost, long ttlExceeded, long droppedFromHost, long hostSendFailures,
        long echoFlowsOpen, long echoFlowsOpened, long echoFlowsExpired, long echoFlowsEvicted) {}

    public Snapshot snapshot(int echoFlowsOpen) {
        return new Snapshot(echoReplies, errorsSent, neighborSolicitations, neighborSolicitationsSent,
            routerSolicitations, routerAdvertisements, echoToHost, echoRepliesFromHost, errorsFromHost, ttlExceeded,
            droppedFromHost, hostSendFailures, echoFlowsOpen, echoFlowsOpened, echoFlowsExpired, echoFlowsEvicted);
    }
}
