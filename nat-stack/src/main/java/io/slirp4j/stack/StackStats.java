package io.slirp4j.stack;

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
    long dhcpNaks) {

    static StackStats of(StackCounters c, int reassembliesInProgress, int udpFlowsOpen, int dnsPending) {
        return new StackStats(c.framesIn, c.framesOut, c.droppedMalformed, c.droppedFiltered, c.droppedUnsupported,
            c.droppedUnresolved, c.internalErrors, c.arpRepliesSent, c.arpRequestsSent, c.icmpEchoReplies,
            c.icmpErrorsSent, c.fragmentsIn, c.datagramsReassembled, c.reassemblyFailures, reassembliesInProgress,
            c.fragmentsOut, c.udpToHost, c.udpToGuest, udpFlowsOpen, c.udpFlowsOpened, c.udpFlowsExpired,
            c.udpFlowLimitDrops, c.hostSocketFailures, c.dnsQueries, c.dnsAnswers, c.dnsRetries, c.dnsTimeouts,
            c.dnsNoNameservers, c.dnsDropped, dnsPending, c.dhcpOffers, c.dhcpAcks, c.dhcpNaks);
    }
}
