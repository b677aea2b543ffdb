package io.slirp4j;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Says on stderr when the stack works at one of its limits (UDP flows, TCP connections, the TCP buffer budget, API
 * connections), so that an engine's log explains a guest's failed or slow connections, or an API client cut off:
 * flows closed early or connections reset to make room for new ones, work refused, connections held to their floor.
 * At most one line per limit per {@link #QUIET_MILLIS}: a guest or a local client hammering a limit must not flood
 * the log.
 */
final class LimitLog {
    static final long QUIET_MILLIS = 10_000;

    private final PrintStream out;
    private final int maxUdpFlows;
    private final int maxTcpConnections;
    private final long tcpBudgetBytes;
    private final int tcpBudgetFloor;
    private final int maxApiConnections;
    private final Limit udpFlows = new Limit();
    private final Limit tcpConnections = new Limit();
    private final Limit tcpBudget = new Limit();
    private final Limit apiConnections = new Limit();

    LimitLog(PrintStream out, int maxUdpFlows, int maxTcpConnections, long tcpBudgetBytes, int tcpBudgetFloor,
        int maxApiConnections) {
        this.out = out;
        this.maxUdpFlows = maxUdpFlows;
        this.maxTcpConnections = maxTcpConnections;
        this.tcpBudgetBytes = tcpBudgetBytes;
        this.tcpBudgetFloor = tcpBudgetFloor;
        this.maxApiConnections = maxApiConnections;
    }

    /** The stack's running counts (StackStats). */
    void check(Counts counts, long nowMillis) {
        udpFlows.check(counts.udpFlowsEvicted() + counts.udpFlowLimitDrops(), nowMillis,
            () -> "UDP flow limit (" + maxUdpFlows + ") reached: " + counts.udpFlowsEvicted()
                + " least recently active flows closed for new ones, " + counts.udpFlowLimitDrops()
                + " datagrams dropped so far");
        tcpConnections.check(counts.tcpConnectionsEvicted() + counts.tcpConnectionLimitRejects(), nowMillis,
            () -> "TCP connection limit (" + maxTcpConnections + ") reached: " + counts.tcpConnectionsEvicted()
                + " connections in a handshake or closing reset for new ones, " + counts.tcpConnectionLimitRejects()
                + " connections refused so far");
        tcpBudget.check(counts.tcpBudgetShortages(), nowMillis,
            () -> "TCP buffer budget (" + (tcpBudgetBytes >> 20) + " MiB) running short: only connections that move "
                + "grow, the others keep what they hold (floors of " + (tcpBudgetFloor >> 10) + " KiB each way, less "
                + "when many share the budget; " + counts.tcpBudgetShortages() + " times so far)");
    }

    /** The API server's running counts (ApiServer.evictedAtLimit and refusedAtLimit). */
    void checkApi(long evicted, long refused, long nowMillis) {
        apiConnections.check(evicted + refused, nowMillis,
            () -> "API connection limit (" + maxApiConnections + ") reached: " + evicted
                + " connections waiting for a request closed for new ones, " + refused
                + " new ones refused so far");
    }

    /** What {@link #check} looks at: running totals, each only ever growing. */
    record Counts(long udpFlowsEvicted, long udpFlowLimitDrops, long tcpConnectionsEvicted,
        long tcpConnectionLimitRejects, long tcpBudgetShortages) {
    }

    private final class Limit {
        private long seen;
        private long reportedAt = Long.MIN_VALUE / 2;

        void check(long count, long nowMillis, Supplier<String> message) {
            if (count > seen && nowMillis - reportedAt >= QUIET_MILLIS) {
                out.println("slirp4j: " + message.get());
                seen = count;
                reportedAt = nowMillis;
            }
        }
    }
}
