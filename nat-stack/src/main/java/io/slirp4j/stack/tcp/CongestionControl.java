package io.slirp4j.stack.tcp;

/**
 * A connection's sender-side congestion control: the congestion window, and what ACKs and losses do to it.
 *
 * <p>Theory of operation: the connection sends at most min(SND.WND, {@link #window()}) bytes beyond SND.UNA and
 * reports every event that moves the window: the handshake completing ({@link #onSynAcked}), each duplicate ACK
 * ({@link #onDuplicateAck}), each ACK of new data ({@link #onNewAck}, after SND.UNA has moved to it) and each
 * retransmission timeout with data outstanding ({@link #onRetransmitTimeout}). Sequence numbers are passed in,
 * never kept from the connection, and there is no clock.
 *
 * <p>Retransmissions stay the connection's. When the algorithm calls for one, the event method returns true:
 * the connection then resends the segment at SND.UNA and reports that it did ({@link #onFastRetransmitted},
 * {@link #onPartialAckRetransmitted}), because the window is set after the retransmission (RFC 5681 3.2 step 3,
 * RFC 6582 3.2 step 5), so anything that looks at the window while the segment goes out sees it as it was.
 *
 * <p>There is no restart after idle (RFC 5681 4.1): an idle connection keeps its window.
 */
interface CongestionControl {
    /** cwnd: the bytes that may be in flight, or 0 before the handshake completes. */
    int window();

    /** ssthresh, {@link Integer#MAX_VALUE} until the first loss. */
    int slowStartThreshold();

    /** True between fast retransmit and the ACK that ends recovery. */
    boolean inRecovery();

    /** Our SYN was acknowledged: the initial window, from the sender MSS {@code mss}. */
    void onSynAcked(int mss);

    /**
     * A duplicate ACK (RFC 5681 2: no data, no window change, data outstanding) arrived. Returns true if it
     * starts fast retransmit and recovery: the connection then retransmits SND.UNA and calls
     * {@link #onFastRetransmitted}.
     */
    boolean onDuplicateAck(int sndUna, int sndMax, int mss);

    /** The fast retransmission that {@link #onDuplicateAck} asked for was sent. */
    void onFastRetransmitted(int mss);

    /**
     * An ACK of {@code acked} new bytes arrived; {@code sndUna} is the ACK. Returns true if it is a partial ACK in
     * recovery: the connection then retransmits the next hole, at SND.UNA, and calls
     * {@link #onPartialAckRetransmitted}.
     */
    boolean onNewAck(int sndUna, int sndMax, int acked, int mss);

    /** The retransmission that {@link #onNewAck} asked for was sent; {@code acked} as passed there. */
    void onPartialAckRetransmitted(int acked, int mss);

    /** The retransmission timer expired with data outstanding (SND.UNA to SND.MAX). */
    void onRetransmitTimeout(int sndUna, int sndMax, int mss);
}
