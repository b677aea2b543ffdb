package io.slirp4j.stack.host;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * Works around a bug in Netty 4.2.18's epoll transport that breaks half-closed connections.
 *
 * <p>When a channel's interest set becomes empty, its epoll registration deletes the fd from the epoll set
 * (EPOLL_CTL_DEL) but keeps believing it is added. A later interest is then submitted as EPOLL_CTL_MOD, which fails
 * with ENOENT, and the channel is closed with whatever it had still to write. The interest set becomes empty once
 * the peer has shut down its output (no more reading, no more EPOLLRDHUP) while nothing is waiting to be written.
 * So writing more than the socket buffer holds to a peer that sent its FIN first, or to an API client that has sent
 * its request, cut the connection.
 *
 * <p>{@link #beforeInterest} puts such a registration back to "not added", so that the next interest adds the fd
 * again (EPOLL_CTL_ADD). It must run, on the channel's event loop, before anything that may need an interest on a
 * channel whose input is shut down: a write, or resuming reads. Netty 4.2.19 and later cannot be used here (their
 * native libraries are not available), so the fix reaches into Netty's private state; if that state is not as
 * expected (another Netty version, another transport), this does nothing.
 */
public final class EpollHalfClosure {
    private static final Repair REPAIR = Repair.find();

    private EpollHalfClosure() {
    }

    /** Whether the workaround found the Netty internals it needs (false for other versions and transports). */
    public static boolean available() {
        return REPAIR != null;
    }

    /** Call on the channel's event loop before a write or a read resumes; cheap unless the input is shut down. */
    public static void beforeInterest(Channel channel) {
        if (REPAIR != null && channel instanceof DuplexChannel duplex && duplex.isInputShutdown()) {
            REPAIR.apply(channel);
        }
    }

    /** The private fields involved, found once. */
    private record Repair(Class<?> epollChannel, VarHandle ops, MethodHandle opsValue, VarHandle channelRegistration,
                          Class<?> wrapper, VarHandle wrapped, Class<?> epollRegistration, VarHandle state,
                          Object added, Object pending) {

        static Repair find() {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                Class<?> channel = Class.forName("io.netty.channel.epoll.AbstractEpollChannel");
                Class<?> ioOps = Class.forName("io.netty.channel.epoll.EpollIoOps");
                Class<?> ioRegistration = Class.forName("io.netty.channel.IoRegistration");
                Class<?> wrapper = Class.forName("io.netty.channel.SingleThreadIoEventLoop$IoRegistrationWrapper");
                Class<?> registration = Class.forName("io.netty.channel.epoll.EpollIoHandler$DefaultEpollIoRegistration");
                Class<?> states = Class.forName("io.netty.channel.epoll.EpollIoHandler$RegistrationState");
                Object added = null;
                Object pending = null;
                for (Object state : states.getEnumConstants()) {
                    String name = ((Enum<?>) state).name();
                    if (name.equals("Added")) {
                        added = state;
                    } else if (name.equals("Pending")) {
                        pending = state;
                    }
                }
                if (added == null || pending == null) {
                    return null;
                }
                return new Repair(channel,
                    MethodHandles.privateLookupIn(channel, lookup).findVarHandle(channel, "ops", ioOps),
                    lookup.findVirtual(ioOps, "value", MethodType.methodType(int.class)),
                    MethodHandles.privateLookupIn(channel, lookup).findVarHandle(channel, "registration",
                        ioRegistration),
                    wrapper,
                    MethodHandles.privateLookupIn(wrapper, lookup).findVarHandle(wrapper, "registration",
                        ioRegistration),
                    registration,
                    MethodHandles.privateLookupIn(registration, lookup).findVarHandle(registration, "state", states),
                    added, pending);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
        }

        void apply(Channel channel) {
            if (!epollChannel.isInstance(channel)) {
                return;
            }
            Object interest = ops.get(channel);
            try {
                if (interest == null || (int) opsValue.invoke(interest) != 0) {
                    return; // an fd with interests was never deleted
                }
            } catch (Throwable e) {
                return;
            }
            Object registration = channelRegistration.get(channel);
            if (wrapper.isInstance(registration)) {
                registration = wrapped.get(registration);
            }
            if (!epollRegistration.isInstance(registration)) {
                return;
            }
            // Netty updates the state under the registration's lock
            synchronized (registration) {
                if (state.get(registration) == added) {
                    state.set(registration, pending);
                }
            }
        }
    }
}
