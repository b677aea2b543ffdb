package io.slirp4j.stack.tcp;

/** Why a connection ended abnormally, as reported by {@link TcpOutput#onReset}. */
public enum TcpCloseCause {
    /** The guest sent an acceptable RST. */
    RESET_BY_PEER,
    /** The guest refused our SYN (RST answering it in SYN-SENT): an inbound forward to a closed guest port. */
    REFUSED,
    /** Retransmissions (data, FIN or zero-window probes) went unanswered {@code maxRetransmits} times. */
    RETRANSMIT_TIMEOUT,
    /** The handshake did not complete within the SYN retries or the handshake timeout. */
    HANDSHAKE_TIMEOUT,
    /** The guest answered none of {@code keepaliveProbes} keepalive probes: it vanished. */
    KEEPALIVE_TIMEOUT
}
