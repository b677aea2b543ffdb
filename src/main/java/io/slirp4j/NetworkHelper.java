package io.slirp4j;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.PlatformDependent;
import io.slirp4j.api.ApiServer;
import io.slirp4j.cli.Cli;
import io.slirp4j.cli.Confine;
import io.slirp4j.pasta.HostPortScanner;
import io.slirp4j.pasta.InboundAutoForwards;
import io.slirp4j.pasta.NamespaceForwardPlan;
import io.slirp4j.pasta.NamespaceForwards;
import io.slirp4j.stack.FrameSink;
import io.slirp4j.stack.HostMirror6;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.ResolvConf;
import io.slirp4j.stack.Stack;
import io.slirp4j.stack.StackStats;
import io.slirp4j.stack.forward.ForwardException;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.forward.ForwardTable;
import io.slirp4j.stack.forward.LoopPortForwards;
import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.host.NettyHostDatagrams;
import io.slirp4j.stack.host.NettyHostStreams;
import io.slirp4j.stack.tcp.TcpKeepalive;
import io.slirp4j.stack.tcp.BufferBudget;
import io.slirp4j.tap.Confinement;
import io.slirp4j.tap.EchoSockets;
import io.slirp4j.tap.ExitFdWatcher;
import io.slirp4j.tap.InterfaceConfigurator;
import io.slirp4j.tap.Namespaces;
import io.slirp4j.tap.NetnsSocketFactory;
import io.slirp4j.tap.Posix;
import io.slirp4j.tap.RouteNetlink;
import io.slirp4j.tap.TapPort;
import io.slirp4j.tap.TunDevice;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The running helper: takes the tap (from the target namespace, or inherited), starts one event loop that owns
 * the tap and every host socket, wires the stack between them, signals readiness and waits for the end.
 *
 * <p>One loop thread holds all flow state, so the data path needs no locks. Start-up goes in slirp4netns's order:
 * the target's descriptors, the API socket and then the tap (configured with -c), within a millisecond or two, then
 * the sandbox and the seccomp filter (~10-15 ms), then the ready byte, then the event loop and the stack. Reporting ready before the stack runs loses nothing: the guest's frames wait in the
 * tap's queue and API clients in the socket's backlog. With -p the ready byte waits for the stack, so that the
 * forwards listen before it (and a failed one is an exit status 1 instead).
 *
 * <p>As pasta ({@link PastaLifetime}) the same steps, and before the sandbox also what it would hide: the watch on the
 * target (netns file or PID), the pid file, /dev/null, and for -T/-U and auto forwards the thread kept in the target
 * netns with the /proc/net tables to scan; ready then means the pid file written, the launcher told, stdio let go.
 */
public final class NetworkHelper {
    /** The longest the stack's timer sleeps: the coarse timeouts (UDP, DNS, reassembly) need this period. */
    static final long TIMER_PERIOD_MILLIS = Stack.HOUSEKEEPING_PERIOD_MS;
    /**
     * fds kept free for everything but TCP host sockets: UDP flows (up to two sockets each), ICMP echo flows (one
     * each), tap, loop, API.
     */
    static final int FDS_RESERVED = 2 * Stack.MAX_UDP_FLOWS + Stack.MAX_ECHO_FLOWS + 256;
    static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    /**
     * A test hook: holds the stack back this many ms after the ready byte, so that an end-to-end test can prove
     * that what arrives before the stack serves waits and is answered (StartOrderTest). Unset in real use.
     */
    static final String STACK_DELAY_VARIABLE = "SLIRP4J_TEST_STACK_DELAY_MS";

    /**
     * A test hook: after confining itself the helper tries each {@link Confinement.Probe} (reading the file this
     * names, among them) and prints the results, so that an end-to-end test sees from inside a running helper what
     * is refused. Unset in real use.
     */
    static final String CONFINEMENT_PROBE_VARIABLE = "SLIRP4J_TEST_CONFINEMENT_PROBE";

    /** What to do; its network gains the resolved outbound addresses at the start of {@link #run}. */
    private Launch launch;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile int exitStatus;
    private MultiThreadIoEventLoopGroup group;
    private IoEventLoop loop;
    private TapPort tap;
    /** What the tap does: a vnet header and offloads, or plain frames (BESS, --disable-offloads). */
    private TunDevice.Offloads tapOffloads = TunDevice.Offloads.NONE;
    private Stack stack;
    /** The one pending timer task and when it fires (loop-confined). */
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;
    /** TCP timers can fire every few ms; the limits are looked at once a second (a stats snapshot allocates). */
    static final long LIMIT_CHECK_MILLIS = 1000;
    private long limitsCheckedAt;
    private LimitLog limitLog;
    /** TCP keepalive timings, both sides ({@link KeepaliveSetting}). */
    private TcpKeepalive keepalive = TcpKeepalive.DEFAULTS;
    private volatile ApiServer apiServer;
    /** As a pasta daemon: /dev/null, opened before the sandbox, for stdio once detached; else -1. */
    private int devNull = -1;
    /** As pasta with --pid: the pid file, opened before the sandbox and written once ready; else null. */
    private FileChannel pidFile;
    /** As pasta with -T/-U (or their default, auto): what to forward, once a socket factory is there; else null. */
    private NamespaceForwardPlan outbound;
    /** The thread that makes sockets in the target namespace, switched there before the sandbox; or null. */
    private NetnsSocketFactory nsSockets;
    /** The host's /proc/net/{tcp,udp}[6], opened before the sandbox, for auto; or null. */
    private HostPortScanner hostPorts;
    /** The running -T/-U forwards (loop-confined), or null. */
    private NamespaceForwards nsForwards;
    /** As pasta with -t/-u auto: what to forward, the namespace's port tables (opened inside it), the forwarder. */
    private NamespaceForwardPlan inboundAuto;
    private HostPortScanner namespacePorts;
    private InboundAutoForwards inboundForwards;
    /** Whether this helper made the BESS socket file (removed again on exit). */
    private volatile boolean bessSocketCreated;

    public NetworkHelper(Launch launch) {
        this.launch = launch;
    }

    /** Runs until the exit fd, a signal or a fatal tap error ends it; returns the exit status. */
    public int run() throws IOException, InterruptedException {
        keepalive = KeepaliveSetting.fromEnvironment(System.getenv());
        // -r and -e name descriptors we were given. Check them before opening any of our own, which would take the
        // lowest free numbers: a never-open -e 9 must end the helper, not watch our tap at fd 9.
        if (launch.exitFd() >= 0) {
            if (!Posix.isOpen(launch.exitFd())) {
                return 0;
            }
            ExitFdWatcher.start(launch.exitFd(), () -> stop(0));
        }
        if (launch.readyFd() >= 0 && !Posix.isOpen(launch.readyFd())) {
            throw new IOException("write(" + launch.readyFd() + "): Bad file descriptor (not open)");
        }
        resolveOutboundAddresses();
        boolean bess = launch.bessSocket() != null;
        Namespaces.TargetDescriptors target = bess ? null : openTarget();
        if (launch.pasta() != null) {
            watchPastaTarget();
            prepareNamespaceForwards();
        }
        // from here on, any exit removes the API socket (and the BESS socket)
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp, "slirp4j-shutdown"));
        int bessListener = bess ? listenBess() : -1;
        StartupTrace.mark(bess ? "BESS socket listening" : "target netns open");
        if (launch.apiSocket() != null) {
            // just before the tap appears: a script that waits for tap0 and then talks to the API socket finds it
            apiServer = ApiServer.listen(launch.apiSocket());
            StartupTrace.mark("API socket listening");
        }
        int tapFd = bess ? acceptBessPeer(bessListener) : makeTap(target);
        if (tapFd < 0) {
            return exitStatus; // stopped (exit fd, signal) while waiting for the BESS peer
        }
        StartupTrace.mark("tap open");
        confine();
        // Without -p, nothing that comes before serving can be lost: the guest's frames wait in the tap's queue and
        // API clients in the socket's backlog until the stack takes them. With -p, the forwards must listen first.
        boolean readyBeforeStack = launch.publish().isEmpty() && outbound == null && inboundAuto == null;
        if (readyBeforeStack) {
            signalReady();
        }
        startStack(tapFd);
        StartupTrace.mark("stack serving");
        if (stopping.get()) {
            return exitStatus;
        }
        if (!readyBeforeStack) {
            signalReady();
        }
        finished.await();
        return exitStatus;
    }

    /**
     * --outbound-addr and --outbound-addr6 as addresses of this host, looked up here, in the helper's own network
     * namespace where its host sockets live (this thread never leaves it), before the target is touched.
     */
    private void resolveOutboundAddresses() throws IOException {
        if (launch.outbound4() == null && launch.outbound6() == null) {
            return;
        }
        InetAddress v4 = OutboundResolver.resolve(launch.outbound4(), true);
        InetAddress v6 = OutboundResolver.resolve(launch.outbound6(), false);
        launch = launch.withNetwork(launch.network().withOutboundAddresses(v4, v6));
        StartupTrace.mark("outbound addresses");
    }

    /**
     * The sandbox and the seccomp filter (tried by default; --enable-* requires them, --disable-* leaves them out),
     * in slirp4netns's order and place: once the descriptors, the API socket and the tap exist and before the ready
     * byte, so that no guest frame or API request is read unconfined and a required one that fails is an exit
     * status 1 that the engine sees instead of a ready helper.
     */
    private void confine() throws IOException {
        if (launch.sandbox() != Confine.OFF) {
            try {
                EchoSockets.rememberHostSettings();
                Confinement.enterSandbox(Confinement.sandboxPathsForThisJvm(RESOLV_CONF));
                StartupTrace.mark("sandbox");
            } catch (Confinement.Unavailable e) {
                unavailable(launch.sandbox(), "sandbox", e);
            }
        }
        if (launch.seccomp() != Confine.OFF) {
            try {
                Confinement.installSeccomp();
                StartupTrace.mark("seccomp");
            } catch (Confinement.Unavailable e) {
                unavailable(launch.seccomp(), "seccomp", e);
            }
        }
        String probeFile = System.getenv(CONFINEMENT_PROBE_VARIABLE);
        if (probeFile != null) {
            Confinement.probe(probeFile).forEach((probe, result) ->
                System.err.println("slirp4j: probe " + probe + ": " + result));
        }
    }

    /** A confinement that could not be had: an error where the command line asked for it, else a warning. */
    private static void unavailable(Confine wanted, String what, Confinement.Unavailable e) throws IOException {
        if (wanted == Confine.REQUIRED) {
            throw e;
        }
        System.err.println(Cli.PREFIX + "WARNING: running without the " + what + " (" + e.getMessage()
            + "); --enable-" + what + " makes this an error, --disable-" + what + " leaves it out");
    }

    /** Writes the ready byte to the -r fd and closes it; as pasta, writes the pid file and detaches. */
    private void signalReady() throws IOException {
        if (launch.readyFd() >= 0) {
            Posix.writeFully(launch.readyFd(), "1");
            Posix.close(launch.readyFd());
        }
        PastaLifetime pasta = launch.pasta();
        if (pasta == null) {
            System.err.println("slirp4j: ready");
            return;
        }
        if (pidFile != null) {
            try (FileChannel file = pidFile) {
                file.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            }
        }
        if (pasta.detachFd() >= 0) {
            // the engine reads our output until every holder of its pipe is gone: stdio lets go of it first
            System.out.flush();
            System.err.flush();
            for (int stdio = 0; stdio <= 2; stdio++) {
                Posix.dup2(devNull, stdio);
            }
            Posix.close(devNull);
            Posix.writeFully(pasta.detachFd(), "1\n");
            Posix.close(pasta.detachFd());
        }
    }

    /**
     * pasta's daemon ends with its target: when the netns file is deleted (the engine unmounts and removes it; an
     * inotify watch of its directory, as pasta keeps) or when the PID operand's process exits (a pidfd). Opened here,
     * before the sandbox hides /proc and the netns's directory, with /dev/null for a daemon and the pid file.
     */
    private void watchPastaTarget() throws IOException {
        PastaLifetime pasta = launch.pasta();
        if (pasta.detachFd() >= 0) {
            devNull = Posix.openReadWrite("/dev/null");
        }
        if (pasta.pidFile() != null) {
            pidFile = FileChannel.open(pasta.pidFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        }
        if (pasta.targetPid() >= 0) {
            ExitFdWatcher.start(Posix.pidfdOpen(pasta.targetPid()), () -> stop(0));
        } else if (launch.netns() != null) {
            NetnsDeletionWatch.start(launch.netns(), () -> stop(0));
        }
    }

    /**
     * pasta's -T and -U (and their default, auto): a thread switched into the target netns to make the listeners
     * there, and for auto the host's /proc/net files, both now, before the sandbox hides /proc and the netns file and
     * the seccomp filter refuses setns. Without the right to switch (CAP_SYS_ADMIN here and over the target), explicit
     * ports are an error and auto is left out with a warning (unless --quiet).
     */
    private void prepareNamespaceForwards() throws IOException {
        NamespaceForwardPlan plan = launch.pasta().outbound();
        NamespaceForwardPlan inbound = launch.pasta().inboundAuto();
        boolean wantInbound = inbound != null && inbound.hasAuto();
        if ((plan == null || plan.empty()) && !wantInbound || launch.netns() == null) {
            return;
        }
        try {
            nsSockets = NetnsSocketFactory.start(launch.netns());
        } catch (IOException e) {
            if (plan != null && plan.hasFixed()) {
                throw new IOException("cannot listen inside the namespace for -T/-U: " + e.getMessage(), e);
            }
            warnPasta("automatic port forwarding is off: cannot enter the namespace (" + e.getMessage() + ")");
            return;
        }
        if (plan != null && !plan.empty()) {
            outbound = plan;
            if (plan.hasAuto()) {
                try {
                    hostPorts = HostPortScanner.open();
                } catch (IOException e) {
                    warnPasta("automatic forwarding from the namespace to the host is off: " + e.getMessage());
                }
            }
        }
        if (wantInbound) {
            try {
                // /proc/thread-self of the thread inside the namespace: that namespace's tables
                namespacePorts = HostPortScanner.open(Path.of("/proc/thread-self/net"), nsSockets::openReadOnly);
                inboundAuto = inbound;
            } catch (IOException e) {
                warnPasta("automatic forwarding from the host to the namespace is off: " + e.getMessage());
            }
        }
        StartupTrace.mark("namespace forwards prepared");
    }

    private void warnPasta(String line) {
        if (!launch.pasta().quiet()) {
            System.err.println(System.getProperty(io.slirp4j.pasta.PastaMain.PROGRAM_PROPERTY, "pasta") + ": " + line);
        }
    }

    /**
     * Starts the event loop and, on it, the stack, the {@code -p} forwards, the API server and the tap; returns
     * once they serve, or after {@link #stop}(1) if one of them failed.
     */
    private void startStack(int tapFd) throws InterruptedException {
        String delay = System.getenv(STACK_DELAY_VARIABLE);
        if (delay != null) {
            Thread.sleep(Long.parseLong(delay));
        }
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("slirp4j-loop"),
            EpollIoHandler.newFactory());
        loop = group.next();
        StartupTrace.mark("event loop");
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        if (launch.pasta() == null || !launch.pasta().quiet()) {
            NetworkConfigLog.print(launch, tapFd, tapOffloads.describe());
        }

        java.util.function.Consumer<Throwable> tapFailed = cause -> {
            System.err.println("slirp4j: " + cause.getMessage());
            // the BESS peer going away is the end of the guest, as the exit fd hanging up is
            stop(cause instanceof TapPort.Closed && launch.bessSocket() != null ? 0 : 1);
        };
        tap = launch.bessSocket() != null
            ? TapPort.forSeqpacket(tapFd, launch.network().mtu(), alloc,
                this::onTapFrame, this::rearmTimer, tapFailed)
            : new TapPort(tapFd, launch.network().mtu(), tapOffloads.vnetHeaderLength(), alloc,
                this::onTapFrame, this::rearmTimer, tapFailed);
        FrameSink toGuest = new TapFrameSink(tap, launch.offloads(), tapOffloads.udpOut());
        // as pasta, a forward without an address listens on both families' wildcards: IPv6's must leave IPv4 alone
        boolean ipv6Only = launch.pasta() != null;
        // -U auto must not forward back the ports of the stack's own host UDP sockets (bound, unconnected: they show in
        // /proc/net/udp as a server's would)
        java.util.Set<io.netty.channel.Channel> ownUdp = new java.util.HashSet<>();
        NettyHostDatagrams hostUdp = outbound == null ? hostDatagrams(loop, ipv6Only)
            : hostDatagrams(loop, ipv6Only, channel -> {
                ownUdp.add(channel);
                channel.closeFuture().addListener(f -> ownUdp.remove(channel));
            });
        NettyHostStreams hostTcp = hostStreams(loop, ipv6Only, keepalive);
        int maxTcp = maxTcpConnections();
        long budget = tcpBufferBudget();
        // floors up to the limit, then a few segments each, and connections that move up to half more: three quarters
        // of the direct memory at most, the rest for frames and reads in flight. (Floors up to 1.25 times the limit
        // left connections that move as little as 7% of their rate beside 2,000 that do not read: each of those
        // still takes its few segments.)
        BufferBudget tcpBudget = new BufferBudget(budget, BufferBudget.DEFAULT_FLOOR, budget, budget + budget / 2);
        limitLog = new LimitLog(System.err, Stack.MAX_UDP_FLOWS, maxTcp, tcpBudget.limit(), tcpBudget.configuredFloor(),
            ApiServer.DEFAULT_MAX_CONNECTIONS);
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<String> startFailure = new AtomicReference<>();
        loop.execute(() -> {
            try {
                stack = new Stack(launch.network(), alloc, toGuest, hostUdp, hostTcp,
                    new EpollHostPings(loop, System.err), new ResolvConf(RESOLV_CONF, NetworkHelper::monotonicMillis), NetworkHelper::monotonicMillis,
                    maxTcp, tcpBudget, keepalive);
                stack.onInternalError(new InternalErrorLog());
                stack.afterHostEvent(this::rearmTimer);
                startFailure.set(publish(stack.forwards(), launch.publish()));
                if (startFailure.get() == null && inboundAuto != null) {
                    HostMirror6 six = launch.network().mirror6();
                    int guest4 = launch.network().recommendedGuest();
                    inboundForwards = new InboundAutoForwards(loop, stack.forwards(), namespacePorts, inboundAuto,
                        guest4 != 0 ? IpAddress.of4(guest4) : null, six != null ? six.guest() : null,
                        tcp -> nsForwards != null ? nsForwards.listening(tcp) : new java.util.BitSet());
                }
                if (startFailure.get() == null && outbound != null) {
                    NetnsSocketFactory factory = nsSockets;
                    nsForwards = new NamespaceForwards(loop, new NamespaceForwards.SocketMaker() {
                        @Override
                        public int stream(boolean ipv4) throws IOException {
                            return factory.streamSocket(ipv4);
                        }

                        @Override
                        public int datagram(boolean ipv4) throws IOException {
                            return factory.datagramSocket(ipv4);
                        }
                    }, outbound, hostPorts, () -> ports(ownUdp));
                    if (inboundForwards != null) {
                        InboundAutoForwards in = inboundForwards;
                        nsForwards.excludeReverse(in::forwarding);
                    }
                    startFailure.set(nsForwards.start());
                }
                if (startFailure.get() == null && inboundForwards != null) {
                    inboundForwards.start();
                }
                if (apiServer != null) {
                    apiServer.serve(loop, new LoopPortForwards(loop, stack.forwards(), launch.network()));
                }
                tap.start(loop);
                rearmTimer();
            } catch (IOException | RuntimeException e) {
                startFailure.compareAndSet(null, "cannot start the stack: " + e);
            } finally {
                started.countDown();
            }
        });
        // on the loop thread, the registrations of the tap and the API socket complete inline, inside the task above
        started.await();
        if (startFailure.get() != null) {
            System.err.println("slirp4j: " + startFailure.get());
            stop(1);
        }
    }

    /** Opens the {@code -p} forwards; returns what went wrong with the first that failed, or null. */
    static String publish(ForwardTable forwards, List<ForwardRequest> requests) {
        for (ForwardRequest r : requests) {
            try {
                forwards.add(r);
            } catch (ForwardException e) {
                return "cannot publish " + r.protocol().wireName() + " port " + r.hostPort() + " on "
                    + r.hostAddress().getHostAddress() + ": " + e.getMessage();
            }
        }
        return null;
    }

    /**
     * Makes sure one timer task is pending for the stack's next deadline, or the housekeeping period if that is
     * sooner. Called on the loop after every unit of stack work (frame batch, host event, timer run); cheap when
     * the pending task already fires early enough, which is the common case.
     */
    private void rearmTimer() {
        if (stack == null || stopping.get()) {
            return;
        }
        long now = monotonicMillis();
        long at = Math.min(stack.nextDeadline(), now + TIMER_PERIOD_MILLIS);
        if (timer != null && timerAt <= at) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = loop.schedule(this::onTimer, Math.max(0, at - now), TimeUnit.MILLISECONDS);
    }

    private void onTimer() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        if (stack == null) {
            return;
        }
        stack.onTimer();
        long now = monotonicMillis();
        if (now - limitsCheckedAt >= LIMIT_CHECK_MILLIS) {
            limitsCheckedAt = now;
            StackStats stats = stack.stats();
            limitLog.check(new LimitLog.Counts(stats.udp().flowsEvicted(), stats.udp().flowLimitDrops(),
                stats.tcp().connectionsEvicted(), stats.tcp().connectionLimitRejects(),
                stats.tcp().budgetShortages()), now);
            ApiServer api = apiServer;
            if (api != null) {
                limitLog.checkApi(api.evictedAtLimit(), api.refusedAtLimit(), now);
            }
        }
        rearmTimer();
    }

    /**
     * Half of the direct memory Netty may use (the launcher's -Xmx, 256 MiB, unless MaxDirectMemorySize says
     * otherwise): TCP buffers live there, and so do tap frames and host reads in flight, which need the rest.
     */
    static long tcpBufferBudget() {
        return Math.max(16L << 20, PlatformDependent.maxDirectMemory() / 2);
    }

    /** {@link Stack#MAX_TCP_CONNECTIONS}, or fewer if the fd limit would not allow that many host sockets. */
    static int maxTcpConnections() {
        long limit = openFilesLimit();
        long room = limit - FDS_RESERVED;
        return (int) Math.max(64, Math.min(Stack.MAX_TCP_CONNECTIONS, room));
    }

    /** The soft RLIMIT_NOFILE (HotSpot raises it to the hard limit at start), or a guess if unreadable. */
    static long openFilesLimit() {
        try {
            return Posix.openFilesLimit();
        } catch (IOException e) {
            return 1024;
        }
    }

    /** A frame from the tap to the stack; UDP datagrams the guest's kernel left in one frame (USO) to be cut. */
    private void onTapFrame(ByteBuf frame, boolean checksumTrusted, int udpSegmentSize, int udpStart) {
        if (udpSegmentSize == 0) {
            stack.onFrame(frame, checksumTrusted);
        } else {
            stack.onUdpSuperFrame(frame, udpStart, udpSegmentSize);
        }
    }

    /** The UDP NAT's host sockets: epoll datagram channels on the stack's loop, of the destination's family. */
    static NettyHostDatagrams hostDatagrams(IoEventLoop loop, boolean ipv6Only) {
        return hostDatagrams(loop, ipv6Only, channel -> { });
    }

    /** The same, telling {@code made} of every channel made (on the loop). */
    static NettyHostDatagrams hostDatagrams(IoEventLoop loop, boolean ipv6Only,
        java.util.function.Consumer<io.netty.channel.Channel> made) {
        return new NettyHostDatagrams(loop, ipv4 -> {
            EpollDatagramChannel channel = ipv6OnlyIf(!ipv4 && ipv6Only, new EpollDatagramChannel(family(ipv4)));
            made.accept(channel);
            return channel;
        }).deviceBinding(BindToDevice.LINUX);
    }

    /** The local ports of the channels that are bound (loop). */
    static java.util.BitSet ports(java.util.Set<io.netty.channel.Channel> channels) {
        java.util.BitSet ports = new java.util.BitSet();
        for (io.netty.channel.Channel c : channels) {
            if (c.localAddress() instanceof java.net.InetSocketAddress a) {
                ports.set(a.getPort());
            }
        }
        return ports;
    }

    /**
     * The TCP NAT's host sockets: epoll socket channels on the stack's loop, of the destination's family; with
     * {@code ipv6Only}, IPv6 listeners take no IPv4 clients (IPV6_V6ONLY), so that one on :: and one on 0.0.0.0 can
     * share a port.
     */
    static NettyHostStreams hostStreams(IoEventLoop loop, boolean ipv6Only) {
        return hostStreams(loop, ipv6Only, TcpKeepalive.DEFAULTS);
    }

    /**
     * The same, every connection (outbound or accepted by a forward) with the kernel's keepalive at {@code timings}
     * and its unsent bytes limited ({@link HostSocketSetup}).
     */
    static NettyHostStreams hostStreams(IoEventLoop loop, boolean ipv6Only, TcpKeepalive timings) {
        return new NettyHostStreams(loop, ipv4 -> new EpollSocketChannel(family(ipv4)),
            ipv4 -> ipv6OnlyIf(!ipv4 && ipv6Only, new EpollServerSocketChannel(family(ipv4))))
            .deviceBinding(BindToDevice.LINUX)
            .socketSetup(new HostSocketSetup(timings));
    }

    /** IPPROTO_IPV6, IPV6_V6ONLY. */
    private static final IntegerUnixChannelOption IPV6_V6ONLY = new IntegerUnixChannelOption("IPV6_V6ONLY", 41, 26);

    private static <C extends io.netty.channel.Channel> C ipv6OnlyIf(boolean set, C channel) {
        if (set) {
            channel.config().setOption(IPV6_V6ONLY, 1);
        }
        return channel;
    }

    private static SocketProtocolFamily family(boolean ipv4) {
        return ipv4 ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    }

    /** The stack's clock: monotonic, so that a wall-clock step neither stalls nor mass-expires timers. */
    static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * The inherited tap fd, or a /dev/net/tun descriptor opened in the target netns (not a device yet: see
     * {@link #makeTap}) with, for -c, a socket made there.
     */
    private Namespaces.TargetDescriptors openTarget() throws IOException {
        if (launch.tapFd() >= 0) {
            if (!Posix.isOpen(launch.tapFd())) {
                throw new IOException("tap fd " + launch.tapFd() + " is not an open file descriptor");
            }
            Posix.setNonBlocking(launch.tapFd());
            return new Namespaces.TargetDescriptors(launch.tapFd(), -1, -1);
        }
        if (launch.userns() != null) {
            Namespaces.requireUserNamespace(launch.userns());
        }
        Path joinUserns = Namespaces.needsUserNamespaceJoin(launch.userns()) ? launch.userns() : null;
        return Namespaces.openInTarget(launch.netns(), joinUserns, launch.configure());
    }

    /**
     * {@code --target-type=bess}: a unix SOCK_SEQPACKET socket listening at the path, replacing whatever file was
     * there, as slirp4netns does. Nothing else: no namespace is joined, no tap is made.
     */
    private int listenBess() throws IOException {
        Path path = launch.bessSocket();
        Files.deleteIfExists(path);
        int fd = Posix.listenSeqpacket(path.toString());
        bessSocketCreated = true;
        return fd;
    }

    /**
     * Waits for the one BESS peer (User Mode Linux's vector transport {@code bess}) and accepts it, then closes the
     * listening socket: as in slirp4netns, one peer per helper, and a later connect is refused. Returns the
     * connection's fd, or -1 once {@link #stop} was called meanwhile (exit fd, signal).
     */
    private int acceptBessPeer(int listener) throws IOException {
        System.err.println("slirp4j: waiting for a connection to " + launch.bessSocket());
        try {
            while (!stopping.get()) {
                int fd = Posix.accept(listener, 100);
                if (fd >= 0) {
                    return fd;
                }
            }
            return -1;
        } finally {
            Posix.close(listener);
        }
    }

    /** Creates or attaches the tap on the tun fd and configures it with -c; returns the tap fd. */
    private int makeTap(Namespaces.TargetDescriptors fds) throws IOException {
        if (launch.tapFd() >= 0) {
            tapOffloads = TunDevice.inherited(fds.tun(), launch.offloads());
            return fds.tun();
        }
        try {
            tapOffloads = TunDevice.attachTap(fds.tun(), launch.tapName(), launch.offloads());
            if (launch.configure()) {
                NetworkConfig net = launch.network();
                try {
                    // a mirror's gateway may lie outside its prefix (a host's /32): then a route on the link
                    boolean onLink = net.inNetwork(net.gateway());
                    InterfaceConfigurator.configure(fds.socket(), launch.tapName(), net.mtu(), launch.mac(),
                        net.recommendedGuest(), net.netmask(), onLink ? net.gateway() : 0);
                    RouteNetlink.setTapQueueLength(fds.socket(), fds.netlink(), launch.tapName());
                    if (!onLink) {
                        RouteNetlink.defaultRouteOnLink4(fds.socket(), fds.netlink(), launch.tapName(),
                            bytes(IpAddress.of4(net.gateway())));
                    }
                    HostMirror6 six = net.mirror6();
                    if (six != null) {
                        RouteNetlink.configure6(fds.socket(), fds.netlink(), launch.tapName(),
                            bytes(six.guest()), six.prefixLength(), bytes(six.gateway()));
                    }
                    RouteNetlink.copyRoutes(fds.socket(), fds.netlink(), launch.tapName(), launch.routes());
                } catch (IOException e) {
                    Posix.close(fds.tun());
                    throw e;
                }
            }
        } finally {
            fds.closeSockets();
        }
        return fds.tun();
    }

    private static byte[] bytes(IpAddress address) {
        return address.toInetAddress().getAddress();
    }

    /** Ends the helper with {@code status}; safe from any thread, first call wins. */
    public void stop(int status) {
        if (stopping.compareAndSet(false, true)) {
            exitStatus = status;
            cleanUp();
            finished.countDown();
        }
    }

    private void cleanUp() {
        ApiServer api = apiServer;
        if (api != null) {
            api.close();
        }
        if (bessSocketCreated) {
            try {
                Files.deleteIfExists(launch.bessSocket());
            } catch (IOException ignored) {
                // gone already, or its directory: nothing left to clean
            }
        }
        if (group == null || group.isShuttingDown()) {
            return;
        }
        Runnable closeStackAndTap = () -> {
            if (inboundForwards != null) {
                inboundForwards.close();
            }
            if (nsForwards != null) {
                nsForwards.close();
            }
            if (nsSockets != null) {
                nsSockets.close();
            }
            if (stack != null) {
                stack.close();
            }
            if (tapOffloads.flags() != 0) {
                TunDevice.dropOffloads(tap.fd().intValue());
            }
            try {
                tap.close();
            } catch (IOException ignored) {
                // the device goes away with our last fd either way
            }
        };
        if (loop.inEventLoop()) {
            // stopped by the tap itself (its peer went away, or it failed): waiting for the loop here would deadlock
            closeStackAndTap.run();
        } else {
            try {
                loop.submit(closeStackAndTap).await(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
    }
}
