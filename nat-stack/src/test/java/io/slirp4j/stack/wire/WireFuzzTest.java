package io.slirp4j.stack.wire;

import static io.slirp4j.stack.wire.WireFuzzTargets.check;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzz harnesses (Jazzer) for the wire parsers and emitters.
 *
 * <p>In a normal build ({@code mvn verify}) each harness runs once on the empty input and on every file under
 * {@code src/test/resources/io/slirp4j/stack/wire/WireFuzzTestInputs/<harness>/}: Jazzer's regression mode, a
 * plain parameterised JUnit test taking a few seconds in all (in its own surefire execution, see nat-stack/pom.xml,
 * so the Jazzer agent stays out of the other tests' JVM). Findings of a fuzzing session land in that directory and
 * from then on are regression tests.
 *
 * <p>To fuzz one harness (only one runs per JVM in fuzzing mode) for {@link #DURATION}:
 * <pre>
 *   JAZZER_FUZZ=1 mvn -B -o -pl nat-stack test -Dtest='WireFuzzTest#ipv6Packet' -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * For a longer session change {@link #DURATION} locally: Jazzer 0.24 takes the limit only from the annotation
 * (it passes it to libFuzzer after anything given on the command line). The corpus grows in
 * {@code nat-stack/.cifuzz-corpus/} (ignored by git) and is reused by the next session.
 */
class WireFuzzTest {
    /** How long one harness fuzzes under JAZZER_FUZZ=1; ignored in regression mode. */
    static final String DURATION = "90s";

    @FuzzTest(maxDuration = DURATION)
    void ipv6Packet(byte[] data) {
        WireFuzzTargets.ipv6Packet(data);
    }

    @FuzzTest(maxDuration = DURATION)
    void icmpv6AndNdp(byte[] data) {
        WireFuzzTargets.icmpv6AndNdp(data);
    }

    @FuzzTest(maxDuration = DURATION)
    void dhcpv6(byte[] data) {
        WireFuzzTargets.dhcpv6(data);
    }

    @FuzzTest(maxDuration = DURATION)
    void ipv6Address(byte[] data) {
        WireFuzzTargets.ipv6Address(data);
    }

    @FuzzTest(maxDuration = DURATION)
    void ipv4Views(byte[] data) {
        WireFuzzTargets.ipv4Views(data);
    }

    /** Emitted IPv6 headers (with an optional fragment header) and ICMPv6 echo parse back to what was written. */
    @FuzzTest(maxDuration = DURATION)
    void ipv6RoundTrip(FuzzedDataProvider in) {
        long srcHi = in.consumeLong();
        long srcLo = in.consumeLong();
        long dstHi = in.consumeLong();
        long dstLo = in.consumeLong();
        int hopLimit = in.consumeInt(0, 255);
        int trafficClass = in.consumeInt(0, 255);
        int flowLabel = in.consumeInt(0, 0xF_FFFF);
        boolean fragmented = in.consumeBoolean();
        int fragmentOffset = in.consumeInt(0, 0x1FFF) * 8;
        boolean more = in.consumeBoolean();
        int id = in.consumeInt();
        int identifier = in.consumeInt(0, 0xFFFF);
        int sequence = in.consumeInt(0, 0xFFFF);
        byte[] data = in.consumeRemainingAsBytes();
        if (more) {
            data = java.util.Arrays.copyOf(data, data.length / 8 * 8);
        }
        int icmpLength = Icmpv6Packet.HEADER_LENGTH + data.length;
        int extension = fragmented ? Ipv6Packet.FRAGMENT_HEADER_LENGTH : 0;
        if (fragmented && fragmentOffset + icmpLength > Ipv6Packet.MAX_PAYLOAD_LENGTH) {
            fragmentOffset = 0;
        }
        ByteBuf b = Unpooled.buffer(40 + extension + icmpLength).writerIndex(40 + extension + icmpLength);
        Ipv6Packet.emitHeader(b, 0, extension + icmpLength, fragmented ? 44 : 58, hopLimit, srcHi, srcLo, dstHi, dstLo);
        if (fragmented) {
            Ipv6Packet.emitFragmentHeader(b, 40, 58, fragmentOffset, more, id);
        }
        long pseudo = Ipv6Packet.pseudoHeader(srcHi, srcLo, dstHi, dstLo, 58);
        b.setBytes(40 + extension + 8, data);
        Icmpv6Packet.emitEcho(b, 40 + extension, Icmpv6Packet.TYPE_ECHO_REQUEST, identifier, sequence, data.length,
            pseudo);
        Ipv6Packet p = new Ipv6Packet();
        check(p.wrap(b, 0, b.writerIndex()).ok(), "emitted header parses");
        p.setTrafficClass(trafficClass);
        p.setFlowLabel(flowLabel);
        check(p.hopLimit() == hopLimit && p.trafficClass() == trafficClass && p.flowLabel() == flowLabel, "fields");
        check(p.sourceHi() == srcHi && p.sourceLo() == srcLo && p.destinationHi() == dstHi
            && p.destinationLo() == dstLo, "addresses");
        check(p.protocol() == 58 && p.payloadLength() == icmpLength, "protocol and payload");
        check(p.pseudoHeader() == pseudo, "pseudo-header from the view");
        boolean isFragment = fragmented && (more || fragmentOffset != 0);
        check(p.isFragment() == isFragment && p.hasFragmentHeader() == fragmented, "fragment flags");
        if (fragmented) {
            check(p.fragmentOffset() == fragmentOffset && p.moreFragments() == more && p.identification() == id,
                "fragment fields");
        }
        Icmpv6Packet icmp = new Icmpv6Packet();
        check(icmp.wrap(p).ok(), "emitted echo verifies");
        check(icmp.identifier() == identifier && icmp.sequence() == sequence && icmp.dataLength() == data.length,
            "echo fields");
    }

    /** A router advertisement written option by option parses back to the same values. */
    @FuzzTest(maxDuration = DURATION)
    void ndpRoundTrip(FuzzedDataProvider in) {
        int hopLimit = in.consumeInt(0, 255);
        int flags = in.consumeInt(0, 255);
        int lifetime = in.consumeInt(0, 0xFFFF);
        int reachable = in.consumeInt();
        int retrans = in.consumeInt();
        long mac = in.consumeLong() & 0xFFFF_FFFF_FFFFL;
        int mtu = in.consumeInt();
        int prefixes = in.consumeInt(0, 3);
        int servers = in.consumeInt(1, 4);
        ByteBuf b = Unpooled.buffer(512).writerIndex(512);
        int at = NdpMessage.emitRouterAdvertisementHeader(b, 0, hopLimit, flags, lifetime, reachable, retrans);
        at = NdpMessage.writeLinkLayerOption(b, at, NdpMessage.OPTION_SOURCE_LINK_LAYER, mac);
        at = NdpMessage.writeMtuOption(b, at, mtu);
        long[] prefixHi = new long[prefixes];
        int[] prefixLength = new int[prefixes];
        for (int i = 0; i < prefixes; i++) {
            prefixHi[i] = in.consumeLong();
            prefixLength[i] = in.consumeInt(0, 128);
            at = NdpMessage.writePrefixOption(b, at, prefixLength[i], in.consumeInt(0, 255), in.consumeInt(),
                in.consumeInt(), prefixHi[i], 0);
        }
        long[] hi = new long[servers];
        long[] lo = new long[servers];
        for (int i = 0; i < servers; i++) {
            hi[i] = in.consumeLong();
            lo[i] = in.consumeLong();
        }
        at = NdpMessage.writeRdnssOption(b, at, in.consumeInt(), hi, lo, servers);
        long pseudo = Ipv6Packet.pseudoHeader(WireFuzzTargets.SRC_HI, WireFuzzTargets.SRC_LO, Ipv6Address.ALL_NODES_HI,
            Ipv6Address.ALL_NODES_LO, 58);
        Icmpv6Packet.updateChecksum(b, 0, at, pseudo);
        Icmpv6Packet icmp = new Icmpv6Packet();
        check(icmp.wrap(b, 0, at, pseudo).ok(), "RA checksum");
        NdpMessage ndp = new NdpMessage();
        check(ndp.wrap(b, 0, at).ok(), "RA parses");
        check(ndp.curHopLimit() == hopLimit && ndp.routerFlags() == flags && ndp.routerLifetime() == lifetime
            && ndp.reachableTime() == (reachable & 0xFFFF_FFFFL) && ndp.retransTimer() == (retrans & 0xFFFF_FFFFL),
            "RA fields");
        check(ndp.sourceLinkLayer() == mac && ndp.mtu() == (mtu & 0xFFFF_FFFFL), "link-layer and MTU");
        int p = -1;
        for (int i = 0; i < prefixes; i++) {
            p = ndp.findOption(NdpMessage.OPTION_PREFIX_INFORMATION, p);
            check(p >= 0 && ndp.prefixHi(p) == prefixHi[i] && ndp.prefixLength(p) == prefixLength[i], "prefix " + i);
        }
        check(ndp.findOption(NdpMessage.OPTION_PREFIX_INFORMATION, p) == -1, "no extra prefix");
        int r = ndp.findOption(NdpMessage.OPTION_RDNSS);
        check(r >= 0 && ndp.rdnssCount(r) == servers, "RDNSS count");
        for (int i = 0; i < servers; i++) {
            check(ndp.rdnssHi(r, i) == hi[i] && ndp.rdnssLo(r, i) == lo[i], "RDNSS server " + i);
        }
    }
}
