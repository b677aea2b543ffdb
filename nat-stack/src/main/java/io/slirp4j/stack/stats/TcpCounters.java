package io.slirp4j.stack.stats;

/** The TCP NAT and TCP port forwards. Confined to the stack's event loop, hence plain fields. */
public final class TcpCounters {
    public long segmentsIn;
    public long segmentsOut;
    /** Host connects started for guest SYNs. */
    public long connectAttempts;
    /** Connections that reached SYN-ACK (host connect succeeded). */
    public long connectionsOpened;
    public long connectionsClosed;
    /** Guest connects answered with RST: host refused, no nameserver, closed port of N+3. */
    public long connectRefused;
    /** Guest connects answered with ICMP unreachable: host/network unreachable, timeout, loopback disabled. */
    public long connectFailures;
    /** Guest SYNs refused with RST because the connection table was full of established connections. */
    public long connectionLimitRejects;
    /** Connections in a handshake or closing state reset to make room for a new one in a full table. */
    public long connectionsEvicted;
    /** Retransmitted guest SYNs absorbed while the host connect ran. */
    public long synsAbsorbed;
    /** Segments for no known connection (each answered with RST unless it was one). */
    public long unknownSegments;
    /** RSTs sent for segments without a connection (unknown, refused, limit). */
    public long resetsSent;
    /** Host sockets that broke (reset by the peer, write error): the guest got RST. */
    public long hostResets;
    /** Connections that ended abnormally on the guest side (RST from the guest, timeouts): the host got RST. */
    public long guestResets;
    /**
     * Of those, connections whose guest answered no keepalive probe (it vanished): the guest got RST (in case it
     * is there after all) and the host socket was reset.
     */
    public long keepaliveTimeouts;
    public long bytesToHost;
    public long bytesToGuest;
    /** Host clients of TCP port forwards turned into connections to the guest. */
    public long forwardedConnections;
    /** Forwarded clients refused because their four-tuple (as the guest would see it) was in use. */
    public long forwardCollisions;

    /**
     * An immutable copy; see {@link TcpCounters} for what each one counts. The gauges and the budget's figures
     * come from the connection table and the {@code BufferBudget}, which keep them.
     *
     * @param connectionsOpen   a gauge: connections in the table now
     * @param bufferedBytes     bytes the TCP connections hold against the buffer budget now (send buffers plus
     *                          offered windows)
     * @param bufferedPeak      the most {@code bufferedBytes} has been
     * @param bufferBudget      the budget's limit
     * @param budgetExhaustions times the budget ran out, after which connections were held to their floor
     * @param budgetShortages   times the budget ran short (under a quarter left), after which only connections
     *                          that move grew
     */
    public record Snapshot(long connectionsOpen, long segmentsIn, long segmentsOut, long connectAttempts,
        long connectionsOpened, long connectionsClosed, long connectRefused, long connectFailures,
        long connectionLimitRejects, long connectionsEvicted, long synsAbsorbed, long unknownSegments,
        long resetsSent, long hostResets, long guestResets, long keepaliveTimeouts, long bytesToHost,
        long bytesToGuest, long forwardedConnections, long forwardCollisions,
        long bufferedBytes, long bufferedPeak, long bufferBudget, long budgetExhaustions, long budgetShortages) {}

    public Snapshot snapshot(int connectionsOpen, long bufferedBytes, long bufferedPeak, long bufferBudget,
        long budgetExhaustions, long budgetShortages) {
        return new Snapshot(connectionsOpen, segmentsIn, segmentsOut, connectAttempts, connectionsOpened,
            connectionsClosed, connectRefused, connectFailures, connectionLimitRejects, connectionsEvicted,
            synsAbsorbed, unknownSegments, resetsSent, hostResets, guestResets, keepaliveTimeouts, bytesToHost,
            bytesToGuest, forwardedConnections, forwardCollisions,
            bufferedBytes, bufferedPeak, bufferBudget, budgetExhaustions, budgetShortages);
    }
}
