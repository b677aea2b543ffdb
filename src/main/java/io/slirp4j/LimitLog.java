package io.slirp4j;

import java.io.PrintStream;
import java.util.function.LongFunction;

/**
 * Says on stderr when the stack refuses or squeezes work at one of its limits (UDP flows, TCP connections, the TCP
 * buffer budget), so that an engine's log explains a guest's failed or slow connections. At most one line per limit
 * per {@link #QUIET_MILLIS}: a guest hammering a limit must not flood the log.
 */
final class LimitLog {
    static final long QUIET_MILLIS = 10_000;

    private final Limit udpFlows;
    private final Limit tcpConnections;
    private final Limit tcpBudget;

    LimitLog(PrintStream out, int maxUdpFlows, int maxTcpConnections, long tcpBudgetBytes, int tcpBudgetFloor) {
        udpFlows = new Limit(out, n -> "UDP flow limit (" + maxUdpFlows + ") reached: " + n
            + " datagrams dropped so far");
        tcpConnections = new Limit(out, n -> "TCP connection limit (" + maxTcpConnections + ") reached: " + n
            + " connections refused so far");
        tcpBudget = new Limit(out, n -> "TCP buffer budget (" + (tcpBudgetBytes >> 20) + " MiB) used up: "
            + "connections held to " + (tcpBudgetFloor >> 10) + " KiB each way (" + n + " times so far)");
    }

    /** The stack's running counts (StackStats). */
    void check(long udpFlowLimitDrops, long tcpConnectionLimitRejects, long tcpBudgetExhaustions, long nowMillis) {
        udpFlows.check(udpFlowLimitDrops, nowMillis);
        tcpConnections.check(tcpConnectionLimitRejects, nowMillis);
        tcpBudget.check(tcpBudgetExhaustions, nowMillis);
    }

    private static final class Limit {
        private final PrintStream out;
        private final LongFunction<String> message;
        private long seen;
        private long reportedAt = Long.MIN_VALUE / 2;

        Limit(PrintStream out, LongFunction<String> message) {
            this.out = out;
            this.message = message;
        }

        void check(long count, long nowMillis) {
            if (count > seen && nowMillis - reportedAt >= QUIET_MILLIS) {
                out.println("slirp4j: " + message.apply(count));
                seen = count;
                reportedAt = nowMillis;
            }
        }
    }
}
