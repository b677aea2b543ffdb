package io.slirp4j.stack.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecencyListTest {
    private static final class Item extends RecencyList.Entry<Item> {
        final String name;

        Item(String name) {
            this.name = name;
        }
    }

    private static List<String> drain(RecencyList<Item> list) {
        List<String> names = new ArrayList<>();
        for (Item i = list.oldest(); i != null; i = list.oldest()) {
            names.add(i.name);
            list.remove(i);
        }
        return names;
    }

    @Test
    void touchMakesAnEntryTheMostRecent() {
        RecencyList<Item> list = new RecencyList<>();
        Item a = new Item("a");
        Item b = new Item("b");
        Item c = new Item("c");
        list.touch(a);
        list.touch(b);
        list.touch(c);
        list.touch(a);
        list.touch(a);
        assertEquals(3, list.size());
        assertEquals(List.of("b", "c", "a"), drain(list));
        assertEquals(0, list.size());
        assertNull(list.oldest());
    }

    @Test
    void removeUnlinksFromAnyPosition() {
        RecencyList<Item> list = new RecencyList<>();
        Item[] items = {new Item("a"), new Item("b"), new Item("c"), new Item("d")};
        for (Item i : items) {
            list.touch(i);
        }
        list.remove(items[1]);
        list.remove(items[3]);
        list.remove(items[3]);
        assertNull(items[3].recencyList());
        assertEquals(List.of("a", "c"), drain(list));
    }

    @Test
    void touchMovesAnEntryBetweenLists() {
        RecencyList<Item> first = new RecencyList<>();
        RecencyList<Item> second = new RecencyList<>();
        Item a = new Item("a");
        Item b = new Item("b");
        first.touch(a);
        first.touch(b);
        second.touch(a);
        assertSame(second, a.recencyList());
        assertEquals(1, first.size());
        second.remove(b); // not in it: nothing
        assertEquals(List.of("b"), drain(first));
        assertEquals(List.of("a"), drain(second));
    }
}
