package io.slirp4j.stack.stats;

/**
 * ICMP the stack sends to the guest, and the guest's echo to outside addresses (see {@link IcmpEchoCounters} for
 * what each counter counts). Confined to the stack's event loop, hence plain fields.
 */
public final class IcmpCounters extends IcmpEchoCounters {
    /**
     * An immutable copy; see {@link IcmpEchoCounters} for what each one counts.
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
