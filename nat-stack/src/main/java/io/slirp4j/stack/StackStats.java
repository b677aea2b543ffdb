package io.slirp4j.stack;

import io.slirp4j.stack.tcp.BufferBudget;

/**
 * An immutable snapshot of the stack's counters (see {@link StackCounters} for what each one counts), plus
 * gauges of what is open right now.
 */
public record StackStats(
    long framesIn,
    long framesOut,
    long droppedMalformed,
    long droppedFiltered,
    long droppedUnsupported,
    long droppedUnresolved,
    long internalErrors,
    long arpRepliesSent,
    long arpRequestsSent,
    long icmpEchoReplies,
    long icmpErrorsSent,
    long fragmentsIn,
    long datagramsReassembled,
    long reassemblyFailures,
    long reassembliesInProgress,
    long fragmentsOut,
    long udpToHost,
    long udpToGuest,
    long udpFlowsOpen,
    long udpFlowsOpened,
    long udpFlowsExpired,
    long udpFlowLimitDrops,
    long hostSocketFailures,
    long dnsQueries,
    long dnsAnswers,
    long dnsRetries,
    long dnsTimeouts,
    long dnsNoNameservers,
    long dnsDropped,
    long dnsPending,
    long dhcpOffers,
    long dhcpAcks,
    long dhcpNaks,
    long tcpConnectionsOpen,
    long tcpSegmentsIn,
    long tcpSegmentsOut,
    long tcpConnectAttempts,
    long tcpConnectionsOpened,
    long tcpConnectionsClosed,
    long tcpConnectRefused,
    long tcpConnectFailures,
    long tcpConnectionLimitRejects,
    long tcpSynsAbsorbed,
    long tcpUnknownSegments,
    long tcpResetsSent,
    long tcpHostResets,
    long tcpGuestResets,
    long tcpBytesToHost,
    long tcpBytesToGuest,
    long tcpForwardedConnections,
    long tcpForwardCollisions,
    long udpForwardedPeers,
    long udpForwardDrops,
    /** Bytes the TCP connections hold against the buffer budget now (send buffers plus offered windows). */
    long tcpBufferedBytes,
    long tcpBufferedPeak,
    long tcpBufferBudget,
    /** Times the budget ran out, after which connections were held to their floor. */
    long tcpBudgetExhaustions) {

    static StackStats of(StackCounters c, int reassembliesInProgress, int udpFlowsOpen, int dnsPending,
        int tcpConnectionsOpen, BufferBudget budget) {
        return new StackStats(c.framesIn, c.framesOut, c.droppedMalformed, c.droppedFiltered, c.droppedUnsupported,
            c.droppedUnresolved, c.internalErrors, c.arpRepliesSent, c.arpRequestsSent, c.icmpEchoReplies,
            c.icmpErrorsSent, c.fragmentsIn, c.datagramsReassembled, c.reassemblyFailures, reassembliesInProgress,
            c.fragmentsOut, c.udpToHost, c.udpToGuest, udpFlowsOpen, c.udpFlowsOpened, c.udpFlowsExpired,
            c.udpFlowLimitDrops, c.hostSocketFailures, c.dnsQueries, c.dnsAnswers, c.dnsRetries, c.dnsTimeouts,
            c.dnsNoNameservers, c.dnsDropped, dnsPending, c.dhcpOffers, c.dhcpAcks, c.dhcpNaks,
            tcpConnectionsOpen, c.tcpSegmentsIn, c.tcpSegmentsOut, c.tcpConnectAttempts, c.tcpConnectionsOpened,
            c.tcpConnectionsClosed, c.tcpConnectRefused, c.tcpConnectFailures, c.tcpConnectionLimitRejects,
            c.tcpSynsAbsorbed, c.tcpUnknownSegments, c.tcpResetsSent, c.tcpHostResets, c.tcpGuestResets,
            c.tcpBytesToHost, c.tcpBytesToGuest, c.tcpForwardedConnections, c.tcpForwardCollisions,
            c.udpForwardedPeers, c.udpForwardDrops, budget.used(), budget.peak(), budget.limit(), budget.exhaustions());
    }
}
