/**
 * slirp4j's userspace network stack: {@link io.slirp4j.stack.Stack} is the entry point.
 *
 * <p>Wiring, as the program does it (all on one event loop):
 * <pre>{@code
 * Stack stack = new Stack(config, alloc, tapPort, new NettyHostDatagrams(...),
 *     new ResolvConf(ResolvConf.DEFAULT_PATH, clock), clock);
 * tap read:      stack.onFrame(frame);          // ownership passes, never throws
 * every ~250 ms: stack.onTimer();
 * shutdown:      stack.close();
 * }</pre>
 *
 * <p>Layers, after smoltcp: {@code wire} (stateless header views), {@code iface} (the guest link, ARP, IPv4
 * input, reassembly), then one package per engine ({@code icmp}, {@code udp}, {@code dns}, {@code dhcp},
 * {@code tcp}; IPv6 to come), with {@code forward} (port forwards) and {@code host} (host sockets) beside them.
 * Counters live in {@code stats}, one group per protocol, each with its own snapshot; an engine is handed the
 * groups it counts in, and {@code StackStats} composes the snapshots. Engines are public classes so that the stack
 * can wire them across packages; only {@code Stack}, {@code StackStats} (and the {@code stats} snapshots it
 * holds), {@code Nameservers}, {@code ResolvConf}, {@code NetworkConfig}, {@code FrameSink} and {@code host.*} are
 * meant for the program.
 *
 * <p>ByteBuf ownership everywhere: whoever receives a buffer through a method documented "takes ownership"
 * releases it or passes it on; views and "borrowed" parameters are valid only during the call.
 */
package io.slirp4j.stack;
