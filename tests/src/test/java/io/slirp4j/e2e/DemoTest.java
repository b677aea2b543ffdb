package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's first command ends in {@code tests/demo.sh}: it must keep working (it makes its own namespaces). */
class DemoTest {
    @Test
    void theReadmeDemoRuns() {
        Requirements.namespaces("socat", "ping");
        Path demo = Path.of("demo.sh").toAbsolutePath();
        Cmd.Result r = Cmd.run(Duration.ofSeconds(60), "bash", demo.toString(), Dist.launcher());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().strip().endsWith("== demo OK"), r::toString);
    }
}
