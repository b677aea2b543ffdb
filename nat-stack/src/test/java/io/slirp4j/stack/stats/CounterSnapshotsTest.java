package io.slirp4j.stack.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every counter of a group reaches its snapshot under the same name, and every other snapshot component is a gauge
 * passed to {@code snapshot(...)}: the copy inside a group cannot silently drift from its fields.
 */
class CounterSnapshotsTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(classes = {FrameCounters.class, ErrorCounters.class, ArpCounters.class, Ipv4Counters.class,
        IcmpCounters.class, UdpCounters.class, DnsCounters.class, DhcpCounters.class, TcpCounters.class,
        Ipv6Counters.class, Icmpv6Counters.class, Dhcpv6Counters.class})
    void snapshotCopiesEveryCounter(Class<?> group) throws ReflectiveOperationException {
        Object counters = group.getConstructor().newInstance();
        Map<String, Long> expected = new HashMap<>();
        long value = 1000;
        for (Field f : group.getFields()) {
            if (f.getType() == long.class && !Modifier.isStatic(f.getModifiers())) {
                f.setLong(counters, ++value);
                expected.put(f.getName(), value);
            }
        }
        Method snapshot = List.of(group.getMethods()).stream().filter(m -> m.getName().equals("snapshot"))
            .findFirst().orElseThrow();
        Object[] gauges = new Object[snapshot.getParameterCount()];
        Set<Long> gaugeValues = new HashSet<>();
        for (int i = 0; i < gauges.length; i++) {
            Class<?> type = snapshot.getParameterTypes()[i];
            gauges[i] = type == int.class ? (Object) (int) (-1 - i) : (Object) (long) (-1 - i);
            gaugeValues.add(-1L - i);
        }
        Object copy = snapshot.invoke(counters, gauges);
        RecordComponent[] components = copy.getClass().getRecordComponents();
        Set<Long> gaugesSeen = new HashSet<>();
        for (RecordComponent c : components) {
            long got = (long) c.getAccessor().invoke(copy);
            if (expected.containsKey(c.getName())) {
                assertEquals(expected.get(c.getName()), got, c.getName());
            } else {
                assertTrue(got < 0, c.getName() + " is neither a counter of the group nor a gauge passed in");
                gaugesSeen.add(got);
            }
        }
        assertEquals(expected.size() + gauges.length, components.length, "one component per counter and gauge");
        assertEquals(gaugeValues, gaugesSeen, "every gauge passed in lands in the snapshot");
    }
}
