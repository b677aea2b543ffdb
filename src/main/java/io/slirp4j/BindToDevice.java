package io.slirp4j;

import io.netty.channel.Channel;
import io.netty.channel.unix.RawUnixChannelOption;
import io.slirp4j.stack.host.DeviceBinding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * SO_BINDTODEVICE on a Netty epoll channel before it binds (pasta's {@code %IFACE} forwards): the socket then takes
 * only what arrives through that interface. Linux allows it without privileges since 5.7 for an unbound socket.
 */
final class BindToDevice implements DeviceBinding {
    static final int SOL_SOCKET = 1;
    static final int SO_BINDTODEVICE = 25;
    /** IFNAMSIZ, the terminating NUL included. */
    static final int IFNAMSIZ = 16;
    private static final RawUnixChannelOption OPTION =
        new RawUnixChannelOption("SO_BINDTODEVICE", SOL_SOCKET, SO_BINDTODEVICE, IFNAMSIZ);

    static final BindToDevice LINUX = new BindToDevice();

    private BindToDevice() {}

    @Override
    public void bind(Channel channel, String device) throws IOException {
        byte[] name = device.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            channel.close();
            throw new IOException("not an interface name: " + device);
        }
        ByteBuffer value = ByteBuffer.allocateDirect(IFNAMSIZ);
        value.put(name).position(0);
        try {
            channel.config().setOption(OPTION, value);
        } catch (RuntimeException e) {
            channel.close();
            throw new IOException("cannot bind to interface " + device + ": " + e.getMessage(), e);
        }
    }
}
