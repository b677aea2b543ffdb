package io.slirp4j.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the sandbox's root holds, decided without touching the system (the end-to-end tests enter it). */
class ConfinementTest {
    static final Set<String> EXISTING = Set.of("/etc", "/run", "/usr/lib/jvm/java-17", "/opt/slirp4j/lib",
        "/dev/null", "/dev/random", "/dev/urandom", "/mnt/wsl", "/run/systemd/resolve", "/usr/lib",
        "/usr/lib/slirp4j");

    static List<Confinement.Bind> paths(String resolvConfReal, String... codeDirs) {
        return Confinement.sandboxPaths(resolvConfReal == null ? null : Path.of(resolvConfReal),
            java.util.Arrays.stream(codeDirs).map(Path::of).toList(), p -> EXISTING.contains(p.toString()));
    }

    @Test
    void etcAndRunWithoutExecutablesTheCodeWithThemAndTheDevicesOuterPathsFirst() {
        assertEquals(List.of(
                new Confinement.Bind("/etc", false, false),
                new Confinement.Bind("/run", false, false),
                new Confinement.Bind("/dev/null", false, true),
                new Confinement.Bind("/dev/random", false, true),
                new Confinement.Bind("/dev/urandom", false, true),
                new Confinement.Bind("/opt/slirp4j/lib", true, false),
                new Confinement.Bind("/usr/lib/jvm/java-17", true, false)),
            paths("/etc/resolv.conf", "/usr/lib/jvm/java-17", "/opt/slirp4j/lib"));
    }

    @Test
    void aResolvConfLinkedOutsideEtcAndRunBringsItsDirectory() {
        // systemd-resolved's target lies in /run, bound anyway; WSL's in /mnt/wsl, which must come along
        assertEquals(paths("/etc/resolv.conf"), paths("/run/systemd/resolve/stub-resolv.conf"));
        assertEquals(List.of("/etc", "/run", "/dev/null", "/dev/random", "/dev/urandom", "/mnt/wsl"),
            paths("/mnt/wsl/resolv.conf").stream().map(Confinement.Bind::path).toList());
        assertEquals(new Confinement.Bind("/mnt/wsl", false, false), paths("/mnt/wsl/resolv.conf").get(5));
    }

    @Test
    void aPathInsideAnotherIsBoundWithItAndLendsItItsFlags() {
        List<Confinement.Bind> binds = paths(null, "/usr/lib/slirp4j", "/usr/lib");
        assertEquals(List.of("/etc", "/run", "/dev/null", "/dev/random", "/dev/urandom", "/usr/lib"),
            binds.stream().map(Confinement.Bind::path).toList());
        assertEquals(new Confinement.Bind("/usr/lib", true, false), binds.get(5));
    }

    @Test
    void missingAndRelativePathsAreLeftOut() {
        assertEquals(paths(null), paths(null, "/nonexistent/jdk", "relative/lib"));
    }

    @Test
    void probesAreNumberedAsTheNativeSideExpects() {
        // slirp4j_confine.c's switch: the order of the enum is the protocol
        assertEquals(12, Confinement.Probe.values().length);
        for (Confinement.Probe p : Confinement.Probe.values()) {
            assertEquals(p.ordinal(), p.code, p.name());
        }
    }
}
