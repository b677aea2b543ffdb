package io.slirp4j.stack;

/**
 * The stack's mutable counters, shared by its engines. Confined to the stack's event loop like everything else,
 * hence plain fields; {@link Stack#stats()} copies them into an immutable {@link StackStats}. An engine added
 * later (TCP, IPv6) adds its fields here and to {@link StackStats}.
 */
public final class StackCounters {
    public long framesIn;
    public long framesOut;
    /** Headers that fail validation at any layer: lengths, versions, checksums, truncation. */
    public long droppedMalformed;
    /** Well-formed traffic the policy refuses: addresses, ports, broadcast, spoofed sources. */
    public long droppedFiltered;
    /** Well-formed traffic nobody handles yet: other EtherTypes, IP protocols, ICMP types. */
    public long droppedUnsupported;
    /** Frames to the guest dropped because its MAC was not known yet (an ARP request went out instead). */
    public long droppedUnresolved;
    /** Internal errors caught at the stack's boundary: each is a bug, never the input's fault. */
    public long internalErrors;

    public long arpRepliesSent;
    public long arpRequestsSent;

    public long icmpEchoReplies;
    public long icmpErrorsSent;

    public long fragmentsIn;
    public long datagramsReassembled;
    /** Partial datagrams abandoned: timeouts, overlaps, oversize, eviction when too many are in progress. */
    public long reassemblyFailures;
    public long fragmentsOut;

    public long udpToHost;
    public long udpToGuest;
    public long udpFlowsOpened;
    public long udpFlowsExpired;
    /** Datagrams dropped because the flow table was full. */
    public long udpFlowLimitDrops;
    /** Host sockets that could not be opened (the datagram that needed one is dropped). */
    public long hostSocketFailures;

    public long dnsQueries;
    public long dnsAnswers;
    public long dnsRetries;
    /** Queries abandoned after every nameserver was tried. */
    public long dnsTimeouts;
    /** Queries refused with ICMP port unreachable because the host has no nameservers. */
    public long dnsNoNameservers;
    /** Queries dropped before forwarding: too short to be DNS, or too many pending. */
    public long dnsDropped;

    public long tcpSegmentsIn;
    public long tcpSegmentsOut;
    /** Host connects started for guest SYNs. */
    public long tcpConnectAttempts;
    /** Connections that reached SYN-ACK (host connect succeeded). */
    public long tcpConnectionsOpened;
    public long tcpConnectionsClosed;
    /** Guest connects answered with RST: host refused, no nameserver, closed port of N+3. */
    public long tcpConnectRefused;
    /** Guest connects answered with ICMP unreachable: host/network unreachable, timeout, loopback disabled. */
    public long tcpConnectFailures;
    /** Guest SYNs refused with RST because the connection table was full. */
    public long tcpConnectionLimitRejects;
    /** Retransmitted guest SYNs absorbed while the host connect ran. */
    public long tcpSynsAbsorbed;
    /** Segments for no known connection (each answered with RST unless it was one). */
    public long tcpUnknownSegments;
    /** RSTs sent for segments without a connection (unknown, refused, limit). */
    public long tcpResetsSent;
    /** Host sockets that broke (reset by the peer, write error): the guest got RST. */
    public long tcpHostResets;
    /** Connections that ended abnormally on the guest side (RST from the guest, timeouts): the host got RST. */
    public long tcpGuestResets;
    public long tcpBytesToHost;
    public long tcpBytesToGuest;

    /** Host clients of TCP port forwards turned into connections to the guest. */
    public long tcpForwardedConnections;
    /** Forwarded clients refused because their four-tuple (as the guest would see it) was in use. */
    public long tcpForwardCollisions;
    /** Remote peers of UDP port forwards that got a flow to the guest. */
    public long udpForwardedPeers;
    /** Datagrams from forward peers dropped: their source as the guest would see it was taken, or the limit hit. */
    public long udpForwardDrops;

    public long dhcpOffers;
    public long dhcpAcks;
    public long dhcpNaks;

    private java.util.function.Consumer<? super RuntimeException> internalErrorListener;

    /** Counts a bug caught at the stack's boundary and tells the listener, if any (a listener's own failure is ignored). */
    public void internalError(RuntimeException e) {
        internalErrors++;
        java.util.function.Consumer<? super RuntimeException> listener = internalErrorListener;
        if (listener != null) {
            try {
                listener.accept(e);
            } catch (RuntimeException ignored) {
                // the listener is for logging; it must not turn one bug into two
            }
        }
    }

    void internalErrorListener(java.util.function.Consumer<? super RuntimeException> listener) {
        this.internalErrorListener = listener;
    }
}
