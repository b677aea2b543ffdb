/**
 * Wire formats: stateless, zero-copy views over a {@link io.netty.buffer.ByteBuf} at an offset, one class per
 * header, plus static emit helpers that write a header in place.
 *
 * <p>A view is a reusable flyweight: {@code wrap(buf, offset, length)} points it at bytes and validates them,
 * returning a {@link io.slirp4j.stack.wire.ParseResult}; it never throws on malformed or truncated input and
 * never copies. Accessors are only meaningful after {@code wrap} returned {@code OK}, and only for as long as the
 * caller keeps the buffer alive: a view does not retain or release anything. Engines keep one view per layer
 * and reuse it for every packet, so parsing allocates nothing.
 *
 * <p>Addresses are primitives: IPv4 addresses are big-endian {@code int}s ({@link io.slirp4j.stack.wire.Ipv4Address}),
 * IPv6 addresses two big-endian {@code long}s, hi and lo, which also hold IPv4 as IPv4-mapped
 * ({@link io.slirp4j.stack.wire.Ipv6Address}), MAC addresses the low 48 bits of a {@code long}
 * ({@link io.slirp4j.stack.wire.MacAddress}).
 *
 * <p>Upper-layer checksums over a pseudo-header take it as a partial sum (addresses and protocol, without the
 * length, which the view adds): {@link io.slirp4j.stack.wire.TcpSegment#ipv4PseudoHeader} or
 * {@link io.slirp4j.stack.wire.Ipv6Packet#pseudoHeader()}, so TCP, UDP and ICMPv6 views do not care which IP
 * version carried them.
 */
package io.slirp4j.stack.wire;
