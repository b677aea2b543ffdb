package io.slirp4j.stack.stats;

/** ICMP the stack sends to the guest, and the guest's echo to outside addresses. Confined to the stack's event loop, hence plain fields. */
public final class IcmpCounters {
    /** Echo replies for the guest's pings of the stack's own addresses. */
    public long echoReplies;
    /** Destination-unreachable errors sent to the guest. */
    public long errorsSent;
    /** Guest echo requests to outside addresses sent through host echo sockets. */
    public long echoToHost;
    /** Echo replies from outside addresses passed to the guest. */
    public long echoRepliesFromHost;
    /** ICMP errors about the guest's echo requests (host unreachable, time exceeded, ...) passed to the guest. */
    public long errorsFromHost;
    /** Time exceeded sent to the guest for echo requests arriving with TTL 1 (we are a hop). */
    public long ttlExceeded;
    /** Host echo replies and errors dropped: malformed, for no request the flow remembers, or from a hidden peer. */
    public long droppedFromHost;
    /** Echo requests the host refused to send (the guest is told with destination unreachable). */
    public long hostSendFailures;
    public long echoFlowsOpened;
    /** Flows closed after their idle time. */
    public long echoFlowsExpired;
    /** Flows closed, least recently used first, to make room for a new one when the table was full. */
    public long echoFlowsEvicted;

    /**
     * An immutable copy; see {@link IcmpCounters} for what each one counts.
     *
     * @param echoFlowsOpen a gauge: echo flows (host echo sockets) open now
     */
    public record Snapshot(long echoReplies, long errorsSent, long echoToHost, long echoRepliesFromHost,
        long errorsFromHost, long ttlExceeded, long droppedFromHost, long hostSendFailures, long echoFlowsOpen,
        long echoFlowsOpened, long echoFlowsExpired, long echoFlowsEvicted) {}

    public Snapshot snapshot(int echoFlowsOpen) {
        return new Snapshot(echoReplies, errorsSent, echoToHost, echoRepliesFromHost, errorsFromHost, ttlExceeded,
            droppedFromHost, hostSendFailures, echoFlowsOpen, echoFlowsOpened, echoFlowsExpired, echoFlowsEvicted);
    }
}
