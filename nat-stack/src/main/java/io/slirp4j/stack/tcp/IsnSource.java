package io.slirp4j.stack.tcp;

/**
 * Initial sequence numbers. Production uses {@link #random()}: RFC 6528 asks for unpredictable ISNs. Its clock
 * component keeps a new connection's numbers above the last one's on the same four-tuple; a NAT that terminates
 * connections needs that in one case only, a forwarded client taking over a tuple still in our TIME_WAIT, and
 * {@link TcpNat#acceptInbound} chooses the ISN above the old connection's there. Tests fix ISNs to exercise
 * sequence wrap-around.
 */
@FunctionalInterface
public interface IsnSource {
    int next();

    static IsnSource random() {
        java.security.SecureRandom random = new java.security.SecureRandom();
        return random::nextInt;
    }

    static IsnSource fixed(int isn) {
        return () -> isn;
    }
}
