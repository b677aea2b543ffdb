package io.slirp4j.cli;

import static io.slirp4j.cli.CliTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.slirp4j.api.ForwardSpec;
import io.slirp4j.cli.Settings.NetnsType;
import io.slirp4j.cli.Settings.TargetType;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The value types keep their invariants however they are built. */
class SettingsTest {

    private static Settings with(NetnsType netnsType, TargetType targetType, Target target, Optional<String> tap,
                                 boolean configure, Optional<MacAddress> mac, int mtu) {
        return with(netnsType, targetType, target, tap, configure, mac, mtu, List.of());
    }

    private static Settings with(NetnsType netnsType, TargetType targetType, Target target, Optional<String> tap,
                                 boolean configure, Optional<MacAddress> mac, int mtu, List<ForwardSpec> publish) {
        return new Settings(configure, OptionalInt.empty(), OptionalInt.empty(), mtu, false, Optional.empty(),
            Ipv4Cidr.DEFAULT, Ipv6Cidr.DEFAULT, false, netnsType, Optional.empty(), Confine.BY_DEFAULT, Confine.BY_DEFAULT,
            Optional.empty(), Optional.empty(),
            false, false, mac, targetType, publish, target, tap);
    }

    private static Settings publishing(List<ForwardSpec> publish) {
        return with(NetnsType.PID, TargetType.NETNS, new Target.Pid(1), Optional.of("tap0"), false, Optional.empty(),
            1500, publish);
    }

    @Test
    void consistentSettingsAreAccepted() {
        Settings s = with(NetnsType.PID, TargetType.NETNS, new Target.Pid(1), Optional.of("tap0"), false,
            Optional.empty(), 1500);
        assertEquals(settings("1", "tap0"), s);
        with(NetnsType.TAPFD, TargetType.NETNS, new Target.TapFd(3), Optional.empty(), false, Optional.empty(), 68);
        with(NetnsType.PID, TargetType.BESS, new Target.BessSocket("/s"), Optional.empty(), false, Optional.empty(),
            65521);
    }

    @Test
    void inconsistentSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> with(NetnsType.PATH, TargetType.NETNS, new Target.Pid(1),
            Optional.of("tap0"), false, Optional.empty(), 1500));
        assertThrows(IllegalArgumentException.class, () -> with(NetnsType.TAPFD, TargetType.NETNS,
            new Target.TapFd(3), Optional.of("tap0"), false, Optional.empty(), 1500));
        assertThrows(IllegalArgumentException.class, () -> with(NetnsType.PID, TargetType.NETNS, new Target.Pid(1),
            Optional.empty(), false, Optional.empty(), 1500));
        assertThrows(IllegalArgumentException.class, () -> with(NetnsType.PID, TargetType.NETNS, new Target.Pid(1),
            Optional.of("tap0"), false, Optional.of(new MacAddress(2)), 1500));
        assertThrows(IllegalArgumentException.class, () -> with(NetnsType.PID, TargetType.NETNS, new Target.Pid(1),
            Optional.of("tap0"), false, Optional.empty(), 67));
        assertThrows(IllegalArgumentException.class, () -> with(NetnsType.PID, TargetType.BESS, new Target.Pid(1),
            Optional.of("tap0"), false, Optional.empty(), 1500));
        assertThrows(IllegalArgumentException.class, () -> new Target.Pid(0));
        assertThrows(IllegalArgumentException.class, () -> new Target.TapFd(-1));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Cidr(10 << 24 | 1, 24));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Cidr(10 << 24, 26));
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
    }

    @Test
    void publishIsAnImmutableCopyWithoutClashes() {
        ForwardSpec tcp8080 = new ForwardSpec(ForwardProtocol.TCP, Ipv4Address.toInetAddress(0), 8080, 80);
        List<ForwardSpec> given = new ArrayList<>(List.of(tcp8080));
        Settings s = publishing(given);
        given.clear();
        assertEquals(List.of(tcp8080), s.publish());
        assertThrows(UnsupportedOperationException.class, () -> s.publish().add(tcp8080));
        assertThrows(NullPointerException.class, () -> publishing(null));
        assertThrows(IllegalArgumentException.class, () -> publishing(List.of(tcp8080,
            new ForwardSpec(ForwardProtocol.TCP, Ipv4Address.toInetAddress(0), 8080, 81))));
        // another protocol, another address, or port 0 (a free port each time) do not clash
        ForwardSpec any = new ForwardSpec(ForwardProtocol.TCP, Ipv4Address.toInetAddress(0), 0, 80);
        assertEquals(4, publishing(List.of(tcp8080,
            new ForwardSpec(ForwardProtocol.UDP, Ipv4Address.toInetAddress(0), 8080, 80),
            new ForwardSpec(ForwardProtocol.TCP, Ipv4Address.toInetAddress(0x7f000001), 8080, 80), any)).publish()
            .size());
        assertEquals(2, publishing(List.of(any, any)).publish().size());
    }

    @Test
    void cidrText() {
        assertEquals("10.0.2.0/24", Ipv4Cidr.DEFAULT.toString());
        assertEquals("255.255.255.128/25", new Ipv4Cidr(0xffffff80, 25).toString());
    }
}
