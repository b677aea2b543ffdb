package io.slirp4j.pasta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HostPortScannerTest {
    /** /proc/net/tcp as Linux 6.1 writes it: two listeners (5432 on 127.0.0.1, 2024 on any), one established. */
    static final String TCP = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1176 1 000000005e111c18 100 0 0 10 0
           1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1177 1 000000005e111c19 100 0 0 10 0
           2: 0100007F:1538 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 1190 1 000000005e111c20 20 4 30 10 -1
           3: 0100007F:9C40 0100007F:1538 06 00000000:00000000 03:00000DAC 00000000     0        0 0 3 000000005e111c21
        """;
    static final String TCP6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000011112222 100 0 0 10 0
           1: 00000000000000000000000001000000:1F91 00000000000000000000000001000000:A000 01 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000011112223 20 4 30 10 -1
        """;
    static final String UDP = """
           sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
          101: 0100007F:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3001 2 0000000033334444 0
          102: 0100007F:C350 0100007F:14E9 01 00000000:00000000 00:00000000 00000000     0        0 3002 2 0000000033334445 0
        """;

    @Test
    void listeningTcpOnlyInListenState() {
        BitSet ports = new BitSet();
        HostPortScanner.listening(TCP, HostPortScanner.TCP_LISTEN, ports);
        assertEquals(bits(2024, 5432), ports);
        HostPortScanner.listening(TCP6, HostPortScanner.TCP_LISTEN, ports);
        assertEquals(bits(2024, 5432, 8080), ports);
    }

    @Test
    void udpUnconnectedOnly() {
        BitSet ports = new BitSet();
        HostPortScanner.listening(UDP, HostPortScanner.UDP_LISTEN, ports);
        assertEquals(bits(5353), ports);
    }

    @Test
    void headerOnlyAndGarbageAreNoPorts() {
        BitSet ports = new BitSet();
        HostPortScanner.listening("", HostPortScanner.TCP_LISTEN, ports);
        HostPortScanner.listening(TCP.lines().findFirst().orElseThrow(), HostPortScanner.TCP_LISTEN, ports);
        // the first line is the header even when it looks like data
        HostPortScanner.listening("   0: 0100007F:1538 00000000:0000 0A", HostPortScanner.TCP_LISTEN, ports);
        HostPortScanner.listening("h\n   x: 0100007F:1538 00000000:0000 0A\n   0: 0100007F:1538\n"
            + "   0: 0100007F:123456 00000000:0000 0A\n   0: zz:1538 00000000:0000 0A\n   0: 0100007F:1538 0:0 0G\n",
            HostPortScanner.TCP_LISTEN, ports);
        assertTrue(ports.isEmpty(), ports::toString);
    }

    @Test
    void randomTextNeverThrows() {
        Random rnd = new Random(42);
        String alphabet = "0123456789ABCDEFabcdef: \n\t-xyz";
        for (int round = 0; round < 5000; round++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(300);
            for (int i = 0; i < n; i++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            if (rnd.nextBoolean()) { // mutate real text too
                sb.insert(0, TCP.substring(0, rnd.nextInt(TCP.length())));
            }
            BitSet ports = new BitSet();
            HostPortScanner.listening(sb, rnd.nextInt(16), ports);
            assertTrue(ports.isEmpty() || ports.length() <= 65536);
        }
    }

    @Test
    void wantedLeavesOutWhatIsNotAllowedOrExcludedAndPortZero() {
        BitSet bound = bits(0, 22, 80, 5432, 8080);
        BitSet allowed = new BitSet();
        allowed.set(1, 65536);
        allowed.clear(22);
        assertEquals(bits(5432, 8080), HostPortScanner.wanted(bound, allowed, bits(80)));
    }

    @Test
    void diffAddsAndRemoves() {
        HostPortScanner.Diff d = HostPortScanner.diff(bits(80, 443), bits(443, 5432));
        assertEquals(bits(5432), d.added());
        assertEquals(bits(80), d.removed());
        assertTrue(HostPortScanner.diff(bits(1), bits(1)).empty());
    }

    static BitSet bits(int... ports) {
        BitSet b = new BitSet();
        for (int p : ports) {
            b.set(p);
        }
        return b;
    }
}
