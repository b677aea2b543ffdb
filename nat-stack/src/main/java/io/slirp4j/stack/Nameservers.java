package io.slirp4j.stack;

import java.net.InetSocketAddress;
import java.util.List;

/** The host's DNS resolvers, in order of preference, as the DNS forwarder should use them right now. */
public interface Nameservers {
    /**
     * The current list: immutable, possibly empty, IPv4 and/or IPv6 addresses with their ports. Called on the
     * stack's event loop for every forwarded query, so it must be cheap (return the same list object while
     * nothing changed).
     */
    List<InetSocketAddress> current();
}
