package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * API clients that connect and say nothing (issue 13): 200 of them, kept open, and more arriving all along, must not
 * cost an engine a single request. Meanwhile the test sends what podman sends, one request per connection (an
 * add_hostfwd per port), plus list_hostfwd and remove_hostfwd, and every one must get its right answer (before
 * the fix, which lets a newcomer evict the longest-waiting idle connection, all of them were refused at once).
 * Afterwards the helper has closed every silent connection (its fds are back to where they were), each silent client
 * has read EOF, the helper still answers, and its log says once that the limit was reached.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ApiFloodTest {
    private static final int SILENT_AT_START = 200;
    /** Silent clients arriving during the valid requests, from the flooder thread and between the requests. */
    private static final int SILENT_FLOODED = 400;
    private static final int SILENT_BETWEEN_REQUESTS = 3;
    private static final int FORWARDS = 20;
    private static final int FIRST_HOST_PORT = 31000;
    /** Longer than any answer may take on a loaded 2-core machine, shorter than a hang. */
    private static final long ANSWER_TIMEOUT_SECONDS = 15;
    /** The helper's whole-request deadline (10 s) from the last silent arrival, plus slack for a loaded machine. */
    private static final long SILENT_GONE_MILLIS = 15_000;

    @Test
    void validRequestsAreAllAnsweredAmongSilentClients() throws Exception {
        try (PortForwardTest.Setup s = new PortForwardTest.Setup(Mode.ROOT)) {
            long pid = s.helper.pid();
            assertTrue(Api.list(s.socket).contains("\"entries\":[]"));
            TestNetwork.sleep(300);
            int fdsBefore = TcpTest.fdCount(pid);

            List<SocketChannel> silent = Collections.synchronizedList(new ArrayList<>());
            AtomicLong lastSilentAt = new AtomicLong();
            ExecutorService threads = Executors.newFixedThreadPool(2);
            List<String> failures = new ArrayList<>();
            List<Long> micros = new ArrayList<>();
            try {
                for (int i = 0; i < SILENT_AT_START; i++) {
                    silent.add(connectSilently(s.socket, lastSilentAt));
                }
                AtomicBoolean flooding = new AtomicBoolean(true);
                Future<?> flooder = threads.submit(() -> {
                    for (int i = 0; i < SILENT_FLOODED && flooding.get(); i++) {
                        silent.add(connectSilently(s.socket, lastSilentAt));
                        Thread.sleep(5);
                    }
                    return null;
                });

                int requests = 0;
                List<Integer> ids = new ArrayList<>();
                int failedAdds = 0;
                for (int i = 0; i < FORWARDS; i++) {
                    int port = FIRST_HOST_PORT + i;
                    String added = timed(threads, micros, failures, "add_hostfwd " + port,
                        () -> Api.addTcp(s.socket, "", port, PortForwardTest.GUEST_PORT));
                    requests++;
                    if (added != null && added.strip().matches("\\{\"return\":\\{\"id\":\\d+}}")) {
                        ids.add(Api.id(added));
                    } else {
                        failedAdds++;
                        if (added != null) {
                            failures.add("add_hostfwd " + port + ": " + added.strip());
                        }
                    }
                    openMore(s.socket, silent, lastSilentAt);
                    String list = timed(threads, micros, failures, "list_hostfwd " + i, () -> Api.list(s.socket));
                    requests++;
                    if (list != null && !list.contains("\"host_port\":" + port + ",")) {
                        failures.add("list_hostfwd after adding " + port + ": " + list.strip());
                    }
                    openMore(s.socket, silent, lastSilentAt);
                }
                for (int id : ids) {
                    String removed = timed(threads, micros, failures, "remove_hostfwd " + id,
                        () -> Api.remove(s.socket, id));
                    requests++;
                    if (removed != null && !removed.strip().equals("{\"return\":{}}")) {
                        failures.add("remove_hostfwd " + id + ": " + removed.strip());
                    }
                    openMore(s.socket, silent, lastSilentAt);
                }
                // a forward that was not added has nothing to remove: its remove counts as failed too
                for (int i = 0; i < failedAdds; i++) {
                    requests++;
                    failures.add("remove_hostfwd: nothing to remove (its add failed)");
                }
                flooding.set(false);
                flooder.get(60, TimeUnit.SECONDS);

                Collections.sort(micros);
                int answered = requests - failures.size();
                System.out.printf("API among %d+ silent clients: %d of %d valid requests answered rightly; latency "
                    + "median %.1f ms, max %.1f ms (answered ones); %d silent clients opened%n", SILENT_AT_START,
                    answered, requests, micros.isEmpty() ? 0.0 : micros.get(micros.size() / 2) / 1000.0,
                    micros.isEmpty() ? 0.0 : micros.get(micros.size() - 1) / 1000.0, silent.size());
                assertTrue(requests >= 52, "requests: " + requests);
                int sent = requests;
                assertTrue(failures.isEmpty(), () -> answered + " of " + sent + " valid requests answered; the "
                    + "first failures: " + failures.subList(0, Math.min(5, failures.size())));

                // every silent connection ends at its deadline: the helper's fds come back, each client reads EOF
                long start = System.currentTimeMillis();
                int fds = TcpTest.fdCount(pid);
                while (fds > fdsBefore && System.currentTimeMillis() - lastSilentAt.get() < SILENT_GONE_MILLIS) {
                    TestNetwork.sleep(100);
                    fds = TcpTest.fdCount(pid);
                }
                System.out.printf("helper fds: %d before, %d after; silent connections gone %d ms after the "
                    + "last valid answer%n", fdsBefore, fds, System.currentTimeMillis() - start);
                int fdsAfter = fds;
                assertTrue(fdsAfter <= fdsBefore, () -> "helper fds: " + fdsBefore + " before, " + fdsAfter
                    + " after: silent connections left open");
                synchronized (silent) {
                    for (SocketChannel c : silent) {
                        assertEquals(-1, c.read(ByteBuffer.allocate(1)), "a silent client got data, not EOF");
                    }
                }
                assertTrue(Api.list(s.socket).contains("\"entries\":[]"), "the API still answers, no forward left");
                // the log says so, once (again at most every 10 s), not once per connection
                String limit = "slirp4j: API connection limit (128) reached: ";
                s.helper.awaitStderr(limit);
                List<String> logged = s.helper.stderr().lines().filter(line -> line.startsWith(limit)).toList();
                System.out.println("the helper's log: " + logged);
                int lines = logged.size();
                assertTrue(lines <= 2, () -> lines + " lines about the limit:\n" + s.helper.stderr());
                s.assertHealthy();
            } finally {
                threads.shutdownNow();
                synchronized (silent) {
                    for (SocketChannel c : silent) {
                        c.close();
                    }
                }
            }
        }
    }

    private static SocketChannel connectSilently(Path socket, AtomicLong lastAt) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        lastAt.set(System.currentTimeMillis());
        return c;
    }

    private static void openMore(Path socket, List<SocketChannel> silent, AtomicLong lastAt) throws IOException {
        for (int i = 0; i < SILENT_BETWEEN_REQUESTS; i++) {
            silent.add(connectSilently(socket, lastAt));
        }
    }

    /** The answer, or null with the failure noted (an error, EOF without answer, or no answer in time). */
    private static String timed(ExecutorService threads, List<Long> micros, List<String> failures, String what,
        java.util.concurrent.Callable<String> request) throws InterruptedException {
        long start = System.nanoTime();
        Future<String> answer = threads.submit(request);
        try {
            String text = answer.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (text.isEmpty()) {
                failures.add(what + ": closed without an answer");
                return null;
            }
            micros.add((System.nanoTime() - start) / 1000);
            return text;
        } catch (java.util.concurrent.ExecutionException e) {
            failures.add(what + ": " + e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            answer.cancel(true);
            failures.add(what + ": no answer in " + ANSWER_TIMEOUT_SECONDS + " s");
        }
        return null;
    }
}
