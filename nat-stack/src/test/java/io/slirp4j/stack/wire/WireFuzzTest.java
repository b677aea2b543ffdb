package io.slirp4j.stack.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz harnesses (Jazzer) for the wire parsers and emitters; their bodies are in
 * {@link WireFuzzTargets}.
 *
 * <p>In the build, surefire runs them twice (nat-stack/pom.xml): execution {@code fuzz-regression} replays every
 * harness's inputs, {@code src/test/resources/io/slirp4j/stack/wire/WireFuzzTestInputs/<harness>/} (Jazzer's
 * regression mode, a plain parameterised test); execution {@code fuzz-wire} fuzzes {@link #anyParser}, all the
 * parsers behind one entry point, for a bounded time (JAZZER_FUZZ set in that fork only). One harness alone, for
 * longer (README.md, "Fuzzing"):
 * <pre>
 *   mvn -B -o -pl nat-stack test-compile surefire:test@fuzz-wire -Dfuzz.wire.test='WireFuzzTest#ipv6Packet' \
 *       -Dfuzz.runs=10000000 -Dfuzz.wire.seconds=0
 * </pre>
 * The maximum durations below apply only when JAZZER_FUZZ is set by hand; the executions give their own limits
 * (libFuzzer takes the last of repeated flags, and Jazzer appends {@code jazzer.internal.arg.N} after the
 * annotation's).
 */
class WireFuzzTest {
    /** How long one harness fuzzes when JAZZER_FUZZ is set by hand; ignored in regression mode. */
    static final String DURATION = "90s";

    /** All of the harnesses below, the input's last byte choosing one: what CI fuzzes. */
    @FuzzTest(maxDuration = DURATION)
    void anyParser(FuzzedDataProvider in) {
        WireFuzzTargets.anyParser(in);
    }

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
        WireFuzzTargets.ipv6RoundTrip(in);
    }

    /** A router advertisement written option by option parses back to the same values. */
    @FuzzTest(maxDuration = DURATION)
    void ndpRoundTrip(FuzzedDataProvider in) {
        WireFuzzTargets.ndpRoundTrip(in);
    }
}
