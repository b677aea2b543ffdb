package io.slirp4j.pasta;

import static io.slirp4j.pasta.HostPortScannerTest.bits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamespaceForwardPlanTest {
    private static NamespaceForwardPlan.Side side(String... args) throws PastaException {
        List<PortSpec> specs = new java.util.ArrayList<>();
        for (String a : args) {
            specs.add(a.equals("none") ? PortSpec.none('T') : PortSpec.parse('T', a));
        }
        return NamespaceForwardPlan.side(specs, bits(8080));
    }

    @Test
    void defaultIsAutoOverEveryPort() throws Exception {
        NamespaceForwardPlan.Side s = side();
        assertTrue(s.fixed().isEmpty());
        assertEquals(65535, s.auto().cardinality());
        assertTrue(!s.auto().get(0) && s.auto().get(65535));
        assertEquals(bits(8080), s.exclude());
    }

    @Test
    void noneIsNothing() throws Exception {
        assertTrue(side("none").empty());
    }

    @Test
    void explicitPortsRangesAndMappings() throws Exception {
        NamespaceForwardPlan.Side s = side("5432,6000-6001:7000-7001");
        assertNull(s.auto());
        assertEquals(Map.of(5432, 5432, 6000, 7000, 6001, 7001), s.fixed());
        assertEquals(List.of(5432, 6000, 6001), List.copyOf(s.fixed().keySet()));
    }

    @Test
    void exclusionsSplitRanges() throws Exception {
        assertEquals(Map.of(10, 10, 12, 12), side("10-12,~11").fixed());
    }

    @Test
    void autoWithExclusionsAndAutoWithPorts() throws Exception {
        NamespaceForwardPlan.Side s = side("auto,~22,~100-199");
        assertEquals(65535 - 1 - 100, s.auto().cardinality());
        assertTrue(!s.auto().get(22) && !s.auto().get(150) && s.auto().get(200));
        NamespaceForwardPlan.Side limited = side("auto,5000-5002");
        assertEquals(bits(5000, 5001, 5002), limited.auto());
        assertTrue(limited.fixed().isEmpty());
    }

    @Test
    void allWithoutAutoIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> side("all"));
        assertThrows(IllegalArgumentException.class, () -> side("~22"));
    }

    @Test
    void explicitPortsAreNotAlsoAuto() throws Exception {
        NamespaceForwardPlan.Side s = NamespaceForwardPlan.side(List.of(PortSpec.parse('T', "auto"),
            PortSpec.parse('T', "5432")), new BitSet());
        assertEquals(Map.of(5432, 5432), s.fixed());
        assertTrue(!s.auto().get(5432) && s.auto().get(5433));
    }
}
