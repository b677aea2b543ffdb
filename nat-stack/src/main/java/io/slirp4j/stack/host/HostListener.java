package io.slirp4j.stack.host;

import java.net.InetSocketAddress;

/** A listening host TCP socket opened through {@link HostStreams#listen}. */
public interface HostListener {
    /** The address and port actually bound (the kernel's pick when port 0 was asked for). */
    InetSocketAddress localAddress();

    /** Stops listening; connections accepted earlier are not affected. Idempotent. */
    void close();
}
