package io.slirp4j;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.slirp4j.api.ApiCommand;
import io.slirp4j.api.ForwardSpec;
import io.slirp4j.cli.Cli;
import io.slirp4j.cli.MacAddress;
import io.slirp4j.cli.ParseResult;
import io.slirp4j.cli.Settings;
import io.slirp4j.cli.Target;
import io.slirp4j.pasta.PastaMain;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.tap.ErrnoException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code slirp4j [OPTION]... PID|PATH|FD [TAPNAME]}: exit 0 for help, version and exit-fd shutdown, 1 on failure. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        configureLibraries();
        System.exit(run(args));
    }

    /**
     * System properties the libraries read once, before their first use. The build's class-data training run
     * calls this too, so that it records the same classes the helper loads.
     */
    static void configureLibraries() {
        // Netty derives channel ids from a MAC it finds by scanning interfaces; a fresh private namespace has
        // none, so it warns on stderr. Ids stay unique through the pid and random bits it adds.
        System.setProperty("io.netty.machineId", "52:55:00:00:00:00:00:01");
        // Netty 4.2 reports buffer allocations as JFR events when JFR is present: setting that up (proxies,
        // reflection, generated event handlers) cost 150-250 ms of start-up here, for events nobody records.
        System.setProperty("io.netty.jfr.enabled", "false");
        InternalLoggerFactory.setDefaultFactory(StderrLogger.FACTORY);
        // For `slirp4j api`, whose client uses jnr-unixsocket: jnr-ffi's default binds each native function by
        // generating a class with ASM at run time (~240 ms, and generated classes cannot be archived); its
        // reflective binding loads in ~140 ms and is archivable. The helper itself binds libc through JNI.
        System.setProperty("jnr.ffi.asm.enabled", "false");
    }

    static int run(String[] args) {
        StartupTrace.mark("main");
        String pasta = System.getProperty(PastaMain.PROGRAM_PROPERTY);
        if (pasta != null) {
            return PastaMain.run(pasta, args);
        }
        if (args.length > 0 && args[0].equals("api")) {
            // the client for humans: slirp4j api --socket PATH add|list|remove ...
            return ApiCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
        }
        ParseResult parsed = Cli.parse(args);
        StartupTrace.mark("parsed");
        if (parsed instanceof ParseResult.Print print) {
            System.out.println(print.text());
            return print.exitCode();
        }
        if (parsed instanceof ParseResult.Fail fail) {
            System.err.println(fail.message());
            return fail.exitCode();
        }
        ParseResult.Run run = (ParseResult.Run) parsed;
        run.warnings().forEach(System.err::println);
        try {
            return new NetworkHelper(launchOf(run.settings())).run();
        } catch (ErrnoException e) {
            System.err.println(Cli.PREFIX + e.getMessage());
        } catch (IOException | RuntimeException e) {
            System.err.println(Cli.PREFIX + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 1;
    }

    /** NIO's file exceptions carry only the path; say what happened to it, as perror(3) would. */
    static String describe(Exception e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": No such file or directory";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": Permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    static Launch launchOf(Settings s) {
        NetworkConfig network = new NetworkConfig(s.cidr().network(), s.cidr().prefixLength(), s.mtu(),
            !s.disableHostLoopback(), !s.disableDns(), s.enableIpv6() ? s.cidr6().network() : null);
        Path netns = null;
        int tapFd = -1;
        Path bessSocket = null;
        if (s.target() instanceof Target.Pid pid) {
            netns = Path.of("/proc/" + pid.pid() + "/ns/net");
        } else if (s.target() instanceof Target.NetnsPath path) {
            netns = Path.of(path.path());
        } else if (s.target() instanceof Target.TapFd fd) {
            tapFd = fd.fd();
        } else if (s.target() instanceof Target.BessSocket bess) {
            bessSocket = Path.of(bess.path());
        } else {
            throw new IllegalStateException("unsupported target " + s.target());
        }
        Path userns = s.effectiveUsernsPath().map(Path::of).orElse(null);
        byte[] mac = s.macAddress().map(MacAddress::bytes).orElse(null);
        List<ForwardRequest> publish = new ArrayList<>();
        for (ForwardSpec p : s.publish()) {
            publish.add(new ForwardRequest(p.protocol(), p.hostAddress(), p.hostPort(), network.recommendedGuest(),
                p.guestPort()));
        }
        return new Launch(netns, userns, tapFd, s.tapName().orElse(null), s.configure(), mac, network,
            s.readyFd().orElse(-1), s.exitFd().orElse(-1), s.apiSocket().map(Path::of).orElse(null), publish,
            s.outboundAddr().orElse(null), s.outboundAddr6().orElse(null), bessSocket, s.sandbox(),
            s.seccomp(), !s.disableOffloads(), null, List.of());
    }
}
