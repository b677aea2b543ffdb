package io.slirp4j.stack.wire;

import static io.slirp4j.stack.wire.V6.GUEST_LL;
import static io.slirp4j.stack.wire.V6.ROUTER_LL;
import static io.slirp4j.stack.wire.V6.bytes;
import static io.slirp4j.stack.wire.V6.cat;

import io.slirp4j.stack.Packets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The fuzz targets of {@link WireFuzzTargets} on seeded random mutations of valid packets: not coverage-guided,
 * but it runs in every build in about a second and reaches deeper than the seed corpus alone. A failure names the
 * seed and round; the input is reproducible from them.
 */
class WireMutationTest {
    private static final int ROUNDS = 10_000;
    private static final int[] INTERESTING = {0, 1, 2, 3, 4, 5, 6, 8, 17, 43, 44, 58, 59, 60, 0x3E, 0x7E, 0x80,
        0xBE, 0xC2, 0xFE, 0xFF, 133, 134, 135, 136};

    static Map<String, List<byte[]>> seeds() {
        Map<String, List<byte[]>> s = new LinkedHashMap<>();
        byte[] src = V6.addr("2001:db8::1");
        byte[] dst = V6.addr("2001:db8::2");
        byte[] udp = V6.udp(src, dst, 546, 547, V6.hex("0b000001 0006 0002 0017"));
        byte[] echo = bytes(128, 0, 0, 0, 0, 1, 0, 1, 'p', 'i', 'n', 'g');
        s.put("ipv6Packet", List.of(
            V6.ipv6(src, dst, 17, 64, udp),
            V6.ipv6(src, dst, 0, 64, cat(bytes(60, 0, 5, 2, 0, 0, 1, 0), bytes(43, 0, 0x3E, 4, 0, 0, 0, 0),
                bytes(44, 0, 0, 0, 0, 0, 0, 0), bytes(58, 0, 0, 0, 0, 0, 0, 9), V6.icmpv6(src, dst, echo))),
            V6.ipv6(src, dst, 44, 64, cat(bytes(17, 0, 0x05, 0xA9, 0, 0, 0, 7), new byte[16])),
            V6.ipv6(src, dst, 60, 64, cat(bytes(59, 0, 1, 4, 0, 0, 0, 0), bytes(1, 2, 3)))));
        long mac = 0x5255_0A00_0202L;
        byte[] macBytes = bytes(0x52, 0x55, 0x0A, 0, 2, 2);
        s.put("icmpv6AndNdp", List.of(
            echo,
            cat(bytes(135, 0, 0, 0, 0, 0, 0, 0), ROUTER_LL, bytes(1, 1), macBytes),
            cat(bytes(136, 0, 0, 0, 0xE0, 0, 0, 0), ROUTER_LL, bytes(2, 1), macBytes),
            cat(bytes(133, 0, 0, 0, 0, 0, 0, 0), bytes(1, 1), macBytes),
            cat(bytes(134, 0, 0, 0, 64, 0x40, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0), bytes(1, 1), macBytes,
                bytes(5, 1, 0, 0, 0, 0, 5, 0xDC), bytes(3, 4, 64, 0xC0, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0),
                V6.addr("fd00::"), bytes(25, 3, 0, 0, 0, 0, 7, 8), V6.addr("fd00::3")),
            cat(bytes(2, 0, 0, 0, 0, 0, 5, 0), V6.ipv6(src, dst, 17, 64, udp))));
        byte[] clientId = V6.hex("0001 000e 0001 0001 2a2b2c2d 52550a000264");
        s.put("dhcpv6", List.of(
            cat(V6.hex("0b abcdef"), clientId, V6.hex("0006 0004 0017 0018"), V6.hex("0008 0002 0000")),
            cat(V6.hex("01 000102"), clientId, V6.hex("0003 000c 0a0b0c0d 00000000 00000000"), V6.hex("000e 0000")),
            cat(V6.hex("0b 000001"), V6.hex("0002 000a 0003 0001 52550a000202"), V6.hex("0019 000c 00000001 00000000 00000000"))));
        s.put("ipv6Address", List.of(
            "fe80::5055:aff:fe00:202".getBytes(StandardCharsets.US_ASCII),
            "::ffff:10.0.2.2".getBytes(StandardCharsets.US_ASCII),
            "1:2:3:4:5:6:7:8".getBytes(StandardCharsets.US_ASCII),
            cat(bytes(64), V6.addr("2001:db8::ff00:42:8329")).clone()));
        byte[] dhcp = new byte[300];
        dhcp[0] = 1;
        dhcp[1] = 1;
        dhcp[2] = 6;
        dhcp[236] = 99;
        dhcp[237] = (byte) 130;
        dhcp[238] = 83;
        dhcp[239] = 99;
        System.arraycopy(bytes(53, 1, 1, 50, 4, 10, 0, 2, 15, 255), 0, dhcp, 240, 10);
        s.put("ipv4Views", List.of(
            Packets.ipv4(0x0A000264, 0x0A000202, 17, Packets.udp(0x0A000264, 0x0A000202, 68, 67, dhcp)),
            Packets.icmpEcho(8, 1, 2, new byte[] {1, 2, 3}),
            Packets.udp(0x0A000264, 0x0A000202, 1000, 53, Packets.dnsQuery(7)),
            dhcp,
            Packets.guestArpRequest(0x0A000202),
            Packets.ipv4WithOptions(1, 2, 6, new byte[40], 1, 0, 64, new byte[] {1, 1, 1, 0})));
        return s;
    }

    private static Consumer<byte[]> target(String name) {
        switch (name) {
            case "ipv6Packet":
                return WireFuzzTargets::ipv6Packet;
            case "icmpv6AndNdp":
                return WireFuzzTargets::icmpv6AndNdp;
            case "dhcpv6":
                return WireFuzzTargets::dhcpv6;
            case "ipv6Address":
                return WireFuzzTargets::ipv6Address;
            case "ipv4Views":
                return WireFuzzTargets::ipv4Views;
            default:
                throw new IllegalArgumentException(name);
        }
    }

    static byte[] mutate(byte[] seed, Random random) {
        byte[] a = seed.clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int what = random.nextInt(7);
            if (a.length == 0) {
                a = new byte[] {(byte) random.nextInt(256)};
                continue;
            }
            int at = random.nextInt(a.length);
            switch (what) {
                case 0:
                    a[at] ^= (byte) (1 << random.nextInt(8));
                    break;
                case 1:
                    a[at] = (byte) random.nextInt(256);
                    break;
                case 2:
                    a[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                    break;
                case 3:
                    a = Arrays.copyOf(a, random.nextInt(a.length + 1));
                    break;
                case 4: {
                    byte[] extra = new byte[1 + random.nextInt(16)];
                    random.nextBytes(extra);
                    a = cat(Arrays.copyOf(a, at), extra, Arrays.copyOfRange(a, at, a.length));
                    break;
                }
                case 5: {
                    int from = random.nextInt(a.length);
                    int length = random.nextInt(Math.min(32, a.length - from) + 1);
                    a = cat(Arrays.copyOf(a, at), Arrays.copyOfRange(a, from, from + length),
                        Arrays.copyOfRange(a, at, a.length));
                    break;
                }
                default:
                    if (at + 1 < a.length) {
                        int v = random.nextInt(0x10000);
                        a[at] = (byte) (v >>> 8);
                        a[at + 1] = (byte) v;
                    }
                    break;
            }
        }
        return a;
    }

    @Test
    void everyTargetSurvivesItsSeedsAndTheirMutations() {
        for (Map.Entry<String, List<byte[]>> e : seeds().entrySet()) {
            Consumer<byte[]> target = target(e.getKey());
            Random random = new Random(e.getKey().hashCode());
            target.accept(new byte[0]);
            for (byte[] seed : e.getValue()) {
                target.accept(seed);
            }
            for (int round = 0; round < ROUNDS; round++) {
                int seed = random.nextInt(e.getValue().size());
                byte[] input = mutate(e.getValue().get(seed), random);
                try {
                    target.accept(input);
                } catch (RuntimeException | AssertionError failure) {
                    throw new AssertionError(e.getKey() + " seed " + seed + " round " + round + " input "
                        + io.netty.buffer.ByteBufUtil.hexDump(input), failure);
                }
            }
        }
    }

    /**
     * Writes the seeds as Jazzer's regression inputs, run from {@code nat-stack/} with the test classpath (a tool,
     * not a test, so that a normal build reports no skipped test).
     */
    public static void main(String[] args) throws IOException {
        Path root = Paths.get("src/test/resources/io/slirp4j/stack/wire/WireFuzzTestInputs");
        for (Map.Entry<String, List<byte[]>> e : seeds().entrySet()) {
            Path dir = Files.createDirectories(root.resolve(e.getKey()));
            int i = 0;
            for (byte[] seed : e.getValue()) {
                Files.write(dir.resolve("seed-" + i++), seed);
            }
        }
    }
}
