package io.slirp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.tcp.TcpKeepalive;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeepaliveSettingTest {
    @Test
    void unsetMeansTheDefaults() {
        assertEquals(TcpKeepalive.DEFAULTS, KeepaliveSetting.fromEnvironment(Map.of()));
        assertEquals(new TcpKeepalive(60_000, 10_000, 5), TcpKeepalive.DEFAULTS);
        assertEquals(110_000, TcpKeepalive.DEFAULTS.timeoutMs());
    }

    @Test
    void secondsSecondsProbes() {
        assertEquals(new TcpKeepalive(2_000, 1_000, 3),
            KeepaliveSetting.fromEnvironment(Map.of(KeepaliveSetting.VARIABLE, "2,1,3")));
        assertEquals(new TcpKeepalive(7_200_000, 75_000, 9), KeepaliveSetting.parse(" 7200, 75 ,9 "));
        assertEquals(new TcpKeepalive(32_767_000, 32_767_000, 127), KeepaliveSetting.parse("32767,32767,127"));
    }

    @Test
    void malformedValuesAreRefusedWithTheVariableNamed() {
        for (String bad : new String[] {"", "60", "60,10", "60,10,5,1", "60,10,x", "0,10,5", "60,0,5", "60,10,0",
            "-1,10,5", "32768,10,5", "60,10,128", "1.5,1,1", "60;10;5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeepaliveSetting.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("SLIRP4J_TCP_KEEPALIVE=" + bad + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("IDLE,INTERVAL,COUNT"), e.getMessage());
        }
    }
}
