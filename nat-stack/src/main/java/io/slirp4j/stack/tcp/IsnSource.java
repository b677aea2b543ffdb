package io.slirp4j.stack.tcp;

import io.slirp4j.stack.nat.FlowKey;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Initial sequence numbers for the connections the stack has with the guest. Production uses {@link #rfc6528()};
 * tests fix ISNs to exercise sequence wrap-around. Called on the stack's event loop only.
 */
@FunctionalInterface
public interface IsnSource {
    /**
     * The ISN for the connection {@code flow} (the guest's address and port, and the peer's as the guest sees
     * it), opened at {@code nowMillis} on the stack's clock.
     */
    int next(FlowKey flow, long nowMillis);

    /**
     * RFC 6528: ISN = M + F(four-tuple, secret). M runs at the RFC's 250,000 per second (one per 4 µs), here from the
     * stack's millisecond clock; F is SHA-256 over a random secret and the tuple, so numbers on different tuples are
     * unrelated. A new connection on a tuple then starts above where the last one on it stopped, unless that one sent
     * faster than M runs. That matters for forwarded connections, which we open to tuples the guest may still hold in
     * TIME_WAIT: the guest accepts a SYN above its old numbers (RFC 9293 3.6.1, as Linux does), while one below
     * draws an ACK, our reset and a SYN retransmission a second later.
     */
    static IsnSource rfc6528() {
        return new IsnSource() {
            private static final int SECRET_BYTES = 32;
            // made at the first connection, not during start-up, which they would slow
            private MessageDigest sha256;
            private ByteBuffer input;

            @Override
            public int next(FlowKey flow, long nowMillis) {
                if (sha256 == null) {
                    sha256 = sha256();
                    byte[] secret = new byte[SECRET_BYTES];
                    new SecureRandom().nextBytes(secret);
                    input = ByteBuffer.allocate(SECRET_BYTES + 36).put(secret);
                }
                input.position(SECRET_BYTES);
                input.putLong(flow.guestHi()).putLong(flow.guestLo()).putShort((short) flow.guestPort())
                    .putLong(flow.peerHi()).putLong(flow.peerLo()).putShort((short) flow.peerPort());
                byte[] digest = sha256.digest(input.array());
                return (int) (nowMillis * 250) + ByteBuffer.wrap(digest).getInt();
            }
        };
    }

    static IsnSource fixed(int isn) {
        return (flow, nowMillis) -> isn;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
