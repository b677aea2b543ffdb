package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;

/** Assertions shared by the end-to-end tests. */
final class Checks {
    static final Duration ARG_ERROR_TIMEOUT = Duration.ofSeconds(30);

    private Checks() {}

    /** Real {@code ping} from the guest: 3 echo requests, all answered. Returns ping's output. */
    static Cmd.Result ping(TestNetwork net, String address, String... extra) {
        String[] argv = concat(new String[] {"ping", "-n", "-c", "3", "-i", "0.2", "-W", "3"}, extra);
        Cmd.Result r = net.guest(concat(argv, address));
        assertEquals(0, r.exit(), () -> "ping " + address + " from the guest failed:\n" + r.describe());
        assertTrue(r.out().contains("3 received"), () -> "not all pings answered:\n" + r.describe());
        return r;
    }

    static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * An argument or set-up error as the interface wants it: exit status 1, a line on stderr that starts with
     * {@code slirp4j: } and contains {@code text}, and no Java stack trace.
     */
    static void assertError(Cmd.Result r, String text) {
        assertEquals(1, r.exit(), () -> "exit status of an erroneous command:\n" + r.describe());
        boolean found = r.err().lines().anyMatch(l -> l.startsWith("slirp4j: ") && l.contains(text));
        assertTrue(found, () -> "expected a stderr line starting with \"slirp4j: \" containing \"" + text
            + "\":\n" + r.describe());
        assertFalse(Helper.hasStackTrace(r.err()), () -> "stack trace on stderr:\n" + r.describe());
    }

    /** {@code tap0} does not exist in the guest (a failed or finished helper left nothing behind). */
    static void assertNoTap(TestNetwork net) {
        Cmd.Result r = net.guest("ip", "-o", "link", "show", "dev", "tap0");
        assertFalse(r.ok(), () -> "tap0 still exists in the guest:\n" + r.describe());
    }
}
