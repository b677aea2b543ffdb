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
 *
 * <p>Offloads: asked for, the tap gets a virtio-net header in front of every frame ({@code IFF_VNET_HDR}, 12 bytes
 * as {@code TUNSETVNETHDRSZ} sets them) and {@code TUNSETOFFLOAD} tells the kernel what we can take from the guest:
 * partial checksums ({@code TUN_F_CSUM}), TCP super-frames up to 64 KiB ({@code TUN_F_TSO4/6}) and UDP datagrams of
 * one flow in one frame ({@code TUN_F_USO4/6}, Linux 6.2 on), which we cut into datagrams. The kernel
 * refuses flags it does not know with EINVAL, so the richest set is tried first, then checksums only, then no
 * offload at all (a vnet header still). Frames we write may always carry a partial checksum or a TCP super-frame
 * with a vnet header: the kernel takes them whatever TUNSETOFFLOAD said (the guest receives a super-frame whole,
 * and cuts it only to forward it). UDP datagrams in one frame (GSO_UDP_L4) only a kernel that knows
 * {@code TUN_F_USO4/6} takes, so we write them only when it accepted those ({@link Offloads#udpOut}). The offloads
 * are a property of the device, so they outlive our fd on a
 * persistent tap: {@link #dropOffloads} takes them back at exit, lest the next reader without a vnet header be
 * handed 64 KiB frames.
 */
public final class TunDevice {
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNGETIFF = 0x800454d2L;
    static final long TUNGETVNETHDRSZ = 0x800454d7L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_USO4 = 0x20;
    static final int TUN_F_USO6 = 0x40;
    static final int IFNAMSIZ = 16;
    static final int IFREQ_SIZE = 40;
    /** struct virtio_net_hdr_mrg_rxbuf: virtio_net_hdr's 10 bytes and num_buffers, as qemu uses it. */
    public static final int VNET_HEADER_LENGTH = 12;
    /** What we ask for, richest first; the last is a vnet header with no offload at all. */
    static final int[] OFFLOAD_CHOICES = {TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
        TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, TUN_F_CSUM, 0};

    /**
     * What a tap fd does: {@code vnetHeaderLength} bytes of virtio-net header before each frame (0: none), and the
     * TUN_F_* flags the kernel accepted (what the guest may hand us).
     */
    public record Offloads(int vnetHeaderLength, int flags) {
        public static final Offloads NONE = new Offloads(0, 0);

        /** Whether we may write UDP super-frames: the kernel knows them (it took TUN_F_USO4/6). */
        public boolean udpOut() {
            return (flags & (TUN_F_USO4 | TUN_F_USO6)) == (TUN_F_USO4 | TUN_F_USO6);
        }

        public boolean vnetHeader() {
            return vnetHeaderLength > 0;
        }

        /** "vnet header (12 bytes), offloads csum tso4 tso6 uso4 uso6", or "no vnet header". */
        public String describe() {
            if (!vnetHeader()) {
                return "no vnet header";
            }
            StringBuilder b = new StringBuilder("vnet header (" + vnetHeaderLength + " bytes), offloads");
            if (flags == 0) {
                b.append(" none");
            }
            if ((flags & TUN_F_CSUM) != 0) {
                b.append(" csum");
            }
            if ((flags & TUN_F_TSO4) != 0) {
                b.append(" tso4");
            }
            if ((flags & TUN_F_TSO6) != 0) {
                b.append(" tso6");
            }
            if ((flags & TUN_F_USO4) != 0) {
                b.append(" uso4");
            }
            if ((flags & TUN_F_USO6) != 0) {
                b.append(" uso6");
            }
            return b.toString();
        }
    }

    private TunDevice() {}

    /**
     * TUNSETIFF on {@code tunFd}, with a vnet header and the offloads the kernel grants when {@code offloads};
     * closes it if that fails.
     */
    public static Offloads attachTap(int tunFd, String name, boolean offloads) throws IOException {
        try {
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            if (nameBytes.length == 0 || nameBytes.length >= IFNAMSIZ) {
                throw new IOException("invalid interface name: " + name);
            }
            byte[] ifr = ifreq(name);
            ifreqData(ifr).putShort((short) (IFF_TAP | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0)));
            Posix.check(Native.ioctl(tunFd, TUNSETIFF, ifr), "ioctl(TUNSETIFF)");
            if (!offloads) {
                return Offloads.NONE;
            }
            byte[] size = intArgument(VNET_HEADER_LENGTH);
            Posix.check(Native.ioctl(tunFd, TUNSETVNETHDRSZ, size), "ioctl(TUNSETVNETHDRSZ)");
            return enableOffloads(tunFd, VNET_HEADER_LENGTH);
        } catch (IOException e) {
            Native.close(tunFd);
            throw e;
        }
    }

    /**
     * An fd opened by someone else ({@code --netns-type=tapfd}): whether it was made with a vnet header, and of what
     * size. With one, and {@code offloads}, the offloads are enabled as for our own tap; without, the frames stay
     * plain (a vnet header can be chosen only when the device is attached).
     */
    public static Offloads inherited(int tapFd, boolean offloads) throws IOException {
        byte[] ifr = new byte[IFREQ_SIZE];
        if (Native.ioctl(tapFd, TUNGETIFF, ifr) < 0 || (ifreqData(ifr).getShort() & IFF_VNET_HDR) == 0) {
            // not a tun fd we can ask (a test's socketpair, say), or one without a header: plain frames
            return Offloads.NONE;
        }
        byte[] size = intArgument(0);
        Posix.check(Native.ioctl(tapFd, TUNGETVNETHDRSZ, size), "ioctl(TUNGETVNETHDRSZ)");
        int length = ByteBuffer.wrap(size).order(ByteOrder.nativeOrder()).getInt();
        if (!offloads) {
            // the header stays (it cannot go), but the kernel must hand over only complete frames
            Posix.check(Native.ioctlValue(tapFd, TUNSETOFFLOAD, 0), "ioctl(TUNSETOFFLOAD)");
            return new Offloads(length, 0);
        }
        return enableOffloads(tapFd, length);
    }

    /** Best effort: turns the device's offloads off again (see the class comment); errors are ignored. */
    public static void dropOffloads(int tapFd) {
        Native.ioctlValue(tapFd, TUNSETOFFLOAD, 0);
    }

    /** The richest of {@link #OFFLOAD_CHOICES} the kernel takes. */
    private static Offloads enableOffloads(int tapFd, int vnetHeaderLength) throws IOException {
        int result = 0;
        for (int flags : OFFLOAD_CHOICES) {
            result = Native.ioctlValue(tapFd, TUNSETOFFLOAD, flags);
            if (result == 0) {
                return new Offloads(vnetHeaderLength, flags);
            }
        }
        throw Posix.failure("ioctl(TUNSETOFFLOAD)", result);
    }

    private static byte[] intArgument(int value) {
        byte[] b = new byte[4];
        ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(value);
        return b;
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
