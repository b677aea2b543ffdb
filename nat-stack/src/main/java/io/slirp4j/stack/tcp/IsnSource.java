package io.slirp4j.stack.tcp;

/**
 * Initial sequence numbers. Production uses {@link #random()} (RFC 6528 asks for unpredictable ISNs; a NAT that
 * terminates connections does not need the clock component because it never reuses a four-tuple inside TIME_WAIT);
 * tests fix them to exercise sequence wrap-around.
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
