package io.slirp4j.stack.forward;

import java.util.Locale;

/** The transport a port forward carries. */
public enum ForwardProtocol {
    TCP,
    UDP;

    /** The name in the API's JSON: {@code tcp} or {@code udp}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
