package io.slirp4j;

import java.io.PrintStream;

/**
 * Says on stderr when the stack refuses work at one of its limits (UDP flows, TCP connections), so that an
 * engine's log explains a guest's failed connections. At most one line per limit per {@link #QUIET_MILLIS}: a guest
 * hammering a limit must not flood the log.
 */
final class LimitLog {
    static final long QUIET_MILLIS = 10_000;

    private final PrintStream out;
    private final int maxUdpFlows;
    private final int maxTcpConnections;
    private long udpSeen;
    private long tcpSeen;
    private long udpReportedAt = Long.MIN_VALUE / 2;
    private long tcpReportedAt = Long.MIN_VALUE / 2;

    LimitLog(PrintStream out, int maxUdpFlows, int maxTcpConnections) {
        this.out = out;
        this.maxUdpFlows = maxUdpFlows;
        this.maxTcpConnections = maxTcpConnections;
    }

    /** @param udpFlowLimitDrops, tcpConnectionLimitRejects the stack's running counts (StackStats) */
    void check(long udpFlowLimitDrops, long tcpConnectionLimitRejects, long nowMillis) {
        if (udpFlowLimitDrops > udpSeen && nowMillis - udpReportedAt >= QUIET_MILLIS) {
            out.println("slirp4j: UDP flow limit (" + maxUdpFlows + ") reached: " + udpFlowLimitDrops
                + " datagrams dropped so far");
            udpSeen = udpFlowLimitDrops;
            udpReportedAt = nowMillis;
        }
        if (tcpConnectionLimitRejects > tcpSeen && nowMillis - tcpReportedAt >= QUIET_MILLIS) {
            out.println("slirp4j: TCP connection limit (" + maxTcpConnections + ") reached: "
                + tcpConnectionLimitRejects + " connections refused so far");
            tcpSeen = tcpConnectionLimitRejects;
            tcpReportedAt = nowMillis;
        }
    }
}
