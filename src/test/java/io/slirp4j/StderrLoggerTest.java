package io.slirp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StderrLoggerTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final StderrLogger log = new StderrLogger("test", new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String out() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void warningsAndErrorsArePrintedWithTheirArguments() {
        log.warn("one {} two {}", 1, "2");
        log.error("LEAK: {} of {} {}", 3, 4, "x");
        assertEquals("slirp4j: netty: WARN: one 1 two 2\nslirp4j: netty: ERROR: LEAK: 3 of 4 x\n", out());
    }

    @Test
    void aTrailingThrowablePrintsItsStackTrace() {
        log.warn("failed {}", "task", new IllegalStateException("boom"));
        assertTrue(out().startsWith("slirp4j: netty: WARN: failed task\njava.lang.IllegalStateException: boom\n"),
            out());
    }

    @Test
    void lowerLevelsAreDropped() {
        log.info("x {}", 1);
        log.debug("y");
        log.trace("z", new RuntimeException());
        assertFalse(log.isInfoEnabled() || log.isDebugEnabled() || log.isTraceEnabled());
        assertEquals("", out());
    }
}
