package io.slirp4j.stack.host;

import io.netty.channel.Channel;
import java.io.IOException;

/**
 * Restricts a channel's socket, before it binds, to one host interface (SO_BINDTODEVICE, for pasta's {@code %IFACE}
 * forwards). Linux glue, so the program supplies it; on failure it closes the channel and throws.
 */
@FunctionalInterface
public interface DeviceBinding {
    /** For hosts without it: every request fails. */
    DeviceBinding UNSUPPORTED = (channel, device) -> {
        channel.close();
        throw new IOException("binding to an interface is not supported here");
    };

    void bind(Channel channel, String device) throws IOException;
}
