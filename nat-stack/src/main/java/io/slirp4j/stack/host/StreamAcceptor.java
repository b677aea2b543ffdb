package io.slirp4j.stack.host;

import java.net.InetSocketAddress;

/** Takes the connections a {@link HostListener} accepts, on the stack's event loop. */
public interface StreamAcceptor {
    /**
     * A client connected from {@code client}. Returns the handler for the connection's events, or null to refuse
     * it (the connection is then reset). The stream must not be used before this returns.
     */
    StreamHandler accept(HostStream stream, InetSocketAddress client);
}
