package io.slirp4j.stack.nat;

/**
 * Table entries in the order they were last active, least recent first: an intrusive doubly linked list, so that
 * marking an entry active, moving it to another list and taking the least recent one each cost O(1) and no
 * allocation. A flow table keeps its entries here to evict the stalest one when it is full, and to expire idle ones
 * by looking only at those that are due.
 *
 * <p>An entry is in at most one list at a time. Not thread-safe: like the tables it serves, it lives on the stack's
 * event loop.
 *
 * @param <T> the entries
 */
public final class RecencyList<T extends RecencyList.Entry<T>> {
    private T oldest;
    private T newest;
    private int size;

    /** The links an entry carries; a table's entry class extends this. */
    public abstract static class Entry<T extends Entry<T>> {
        private T older;
        private T newer;
        private RecencyList<T> list;

        /** The list this entry is in, or null. */
        public final RecencyList<T> recencyList() {
            return list;
        }
    }

    /** Makes {@code entry} the most recent of this list, taking it out of any list it was in. */
    public void touch(T entry) {
        Entry<T> links = entry; // a type variable gives no access to the private fields T inherits
        if (links.list == this && newest == entry) {
            return;
        }
        if (links.list != null) {
            links.list.remove(entry);
        }
        links.list = this;
        links.older = newest;
        links.newer = null;
        if (newest != null) {
            ((Entry<T>) newest).newer = entry;
        } else {
            oldest = entry;
        }
        newest = entry;
        size++;
    }

    /** Takes {@code entry} out of this list; nothing if it is not in it. */
    public void remove(T entry) {
        Entry<T> links = entry;
        if (links.list != this) {
            return;
        }
        if (links.older != null) {
            ((Entry<T>) links.older).newer = links.newer;
        } else {
            oldest = links.newer;
        }
        if (links.newer != null) {
            ((Entry<T>) links.newer).older = links.older;
        } else {
            newest = links.older;
        }
        links.older = null;
        links.newer = null;
        links.list = null;
        size--;
    }

    /** The least recently active entry, or null if the list is empty. */
    public T oldest() {
        return oldest;
    }

    public int size() {
        return size;
    }
}
