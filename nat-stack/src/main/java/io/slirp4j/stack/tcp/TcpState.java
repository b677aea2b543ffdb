package io.slirp4j.stack.tcp;

/**
 * RFC 9293 connection states (3.3.2). LISTEN does not exist here: the NAT creates a connection from a guest SYN
 * only after its host connect succeeded, so a passive connection starts in {@link #SYN_RECEIVED}.
 */
public enum TcpState {
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSE_WAIT,
    CLOSING,
    LAST_ACK,
    TIME_WAIT,
    CLOSED;

    /** True once the three-way handshake completed (RFC 9293's "synchronized states"). */
    public boolean synchronizedState() {
        return this != SYN_SENT && this != SYN_RECEIVED && this != CLOSED;
    }
}
