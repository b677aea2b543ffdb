/**
 * End-to-end tests of the real {@code slirp4j} launcher in real namespaces.
 *
 * <p><b>The hard rule</b>: no packet leaves the machine. Every helper runs inside a private "host" network and
 * mount namespace that the test creates ({@link io.slirp4j.e2e.TestNetwork}); its servers listen on that
 * namespace's loopback or in an "internet" namespace joined to it by a veth (198.51.100.0/24); its
 * {@code /etc/resolv.conf} is a bind mount of a file the test writes. {@link io.slirp4j.e2e.TestNetwork#startHelper}
 * checks that the running helper really is in those namespaces.
 *
 * <p>Harness:
 * <ul>
 *   <li>{@link io.slirp4j.e2e.Cmd}: commands with a time limit and captured output ({@code Cmd.run}), process
 *       tree killing, signals.</li>
 *   <li>{@link io.slirp4j.e2e.Requirements}: root, tools, unprivileged user namespaces. A missing requirement
 *       skips locally and fails when {@code CI=true}.</li>
 *   <li>{@link io.slirp4j.e2e.Mode}: ROOT, ROOTLESS (uid 65534 in the host user namespace, the helper joins the
 *       guest's user namespace itself), PODMAN (the helper starts inside the guest's user namespace).</li>
 *   <li>{@link io.slirp4j.e2e.TestNetwork}: {@code create(mode[, withInternet])}; {@code guest(...)},
 *       {@code host(...)}, {@code internet(...)} run commands there; {@code inGuest/inHost/inInternet(Callable)}
 *       run Java code whose sockets stay in that namespace; {@code resolvConf(text)}; {@code helper(options)}
 *       returns a {@link io.slirp4j.e2e.Helper.Builder}, {@code startHelper(options)} starts and awaits ready;
 *       {@code runHelper(timeout, args)} runs to completion for --help/--version/argument errors;
 *       {@code close()} kills everything it started.</li>
 *   <li>{@link io.slirp4j.e2e.Helper}: a running helper with its ready fd (3) and exit fd (4) as pipes:
 *       {@code awaitReady}, {@code readyFdContents}, {@code writeExitFd}, {@code closeExitFd}, {@code waitFor},
 *       {@code awaitExit}, {@code signal}, {@code stderr}, {@code assertNoStackTrace}, {@code cpuTicks}.</li>
 *   <li>{@link io.slirp4j.e2e.Udp} (echo and scripted servers, guest sockets, lock-step echo checks),
 *       {@link io.slirp4j.e2e.Dns} (queries, answers, responders), {@link io.slirp4j.e2e.Frames} (raw Ethernet/
 *       IPv4/UDP/ICMP/ARP/TCP builders), {@link io.slirp4j.e2e.RawFrames} (AF_PACKET socket on the guest's tap0
 *       to inject and capture frames), {@link io.slirp4j.e2e.RecvErr} (the errno a guest UDP socket with
 *       IP_RECVERR sees).</li>
 * </ul>
 *
 * <p>Run: {@code mvn -B verify -pl tests -am} as root (it builds the distribution first). The distribution is
 * taken from the system property {@code slirp4j.dist} (set by the pom to ../src/target/slirp4j).
 */
package io.slirp4j.e2e;
