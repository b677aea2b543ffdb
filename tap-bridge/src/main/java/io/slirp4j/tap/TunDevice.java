package io.slirp4j.tap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Makes an open {@code /dev/net/tun} descriptor a tap device: creates a non-persistent {@code IFF_TAP | IFF_NO_PI}
 * device, or attaches to an existing persistent one of that name (rootlesskit creates tap0 itself and runs the
 * helper without -c). The device appears in the network namespace the descriptor was opened in, whichever
 * namespace the caller is in ({@link Namespaces#openInTarget}).
 */
public final class TunDevice {
    static final long TUNSETIFF = 0x400454caL;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    static final int IFNAMSIZ = 16;
    static final int IFREQ_SIZE = 40;

    private TunDevice() {}

    /** TUNSETIFF on {@code tunFd}; closes it if that fails. */
    public static void attachTap(int tunFd, String name) throws IOException {
        try {
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            if (nameBytes.length == 0 || nameBytes.length >= IFNAMSIZ) {
                throw new IOException("invalid interface name: " + name);
            }
            byte[] ifr = ifreq(name);
            ifreqData(ifr).putShort((short) (IFF_TAP | IFF_NO_PI));
            Posix.check(Native.ioctl(tunFd, TUNSETIFF, ifr), "ioctl(TUNSETIFF)");
        } catch (IOException e) {
            Native.close(tunFd);
            throw e;
        }
    }

    /** A zeroed {@code struct ifreq} carrying {@code name}. */
    static byte[] ifreq(String name) {
        byte[] ifr = new byte[IFREQ_SIZE];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(nameBytes, 0, ifr, 0, Math.min(nameBytes.length, IFNAMSIZ - 1));
        return ifr;
    }

    /** The union after the name in {@code ifr}, in host byte order, positioned at its start. */
    static ByteBuffer ifreqData(byte[] ifr) {
        return ByteBuffer.wrap(ifr, IFNAMSIZ, IFREQ_SIZE - IFNAMSIZ).slice().order(ByteOrder.nativeOrder());
    }
}
