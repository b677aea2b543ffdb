package io.slirp4j.stack.tcp;

/**
 * The keepalive timings, for the guest side ({@link TcpConfig}) and the host sockets alike: after {@code idleMs}
 * of silence from the peer (with nothing unacknowledged), a probe every {@code intervalMs}; after {@code probes}
 * unanswered, the connection is reset. A peer that vanished holds a connection for at most
 * {@link #timeoutMs()}. See {@link TcpConfig} for the defaults and why.
 */
public record TcpKeepalive(long idleMs, long intervalMs, int probes) {
    public static final TcpKeepalive DEFAULTS = new TcpKeepalive(TcpConfig.DEFAULT_KEEPALIVE_IDLE_MS,
        TcpConfig.DEFAULT_KEEPALIVE_INTERVAL_MS, TcpConfig.DEFAULT_KEEPALIVE_PROBES);

    public TcpKeepalive {
        if (idleMs < 1 || intervalMs < 1 || probes < 1) {
            throw new IllegalArgumentException("keepalive " + idleMs + " ms idle, " + intervalMs + " ms interval, "
                + probes + " probes");
        }
    }

    /** The longest a peer that vanished holds an idle connection: idle + probes * interval. */
    public long timeoutMs() {
        return idleMs + probes * intervalMs;
    }
}
