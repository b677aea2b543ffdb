package io.slirp4j.stack.stats;

/**
 * What ICMP and ICMPv6 count alike: echo of the stack's own addresses, errors sent to the guest, and the guest's echo
 * to outside addresses through host echo sockets (the echo NAT serves both families with one code path, each family
 * counting in its own group). Confined to the stack's event loop, hence plain fields.
 */
public abstract class IcmpEchoCounters {
    /** Echo replies for the guest's pings of the stack's own addresses. */
    public long echoReplies;
    /** Errors (destination unreachable, time exceeded, ...) sent to the guest, the stack's own and the host's. */
    public long errorsSent;
    /** Guest echo requests to outside addresses sent through host echo sockets. */
    public long echoToHost;
    /** Echo replies from outside addresses passed to the guest. */
    public long echoRepliesFromHost;
    /**
     * ICMP errors about the guest's echo requests (destination unreachable, time exceeded; ICMPv6 also packet too
     * big) passed to the guest.
     */
    public long errorsFromHost;
    /** Time exceeded sent to the guest for echo requests arriving with TTL (hop limit) 1: we are a hop. */
    public long ttlExceeded;
    /** Host echo replies and errors dropped: malformed, for no request the flow remembers, or from a hidden peer. */
    public long droppedFromHost;
    /** Echo requests the host refused to send (the guest is told with destination unreachable). */
    public long hostSendFailures;
    /** Echo flows (host echo sockets) opened. */
    public long echoFlowsOpened;
    /** Flows closed after their idle time. */
    public long echoFlowsExpired;
    /** Flows closed, least recently used first, to make room for a new one when the table was full. */
    public long echoFlowsEvicted;
}
