package io.sluice.windows;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The open windows of one fold task, in memory and without side effects, so the rules can be tested on their own:
 * which windows an event belongs to, how sessions merge, when a window closes. The fold step mirrors every change
 * into its Kafka Streams state store ({@link Changes}), which is what survives a crash or moves with a partition.
 *
 * <p>A cell closes when the watermark reaches its {@link Cell#closeAt}: a tumbling or hopping window at its end plus
 * the lateness, a session once the watermark has passed its last event plus the gap plus the lateness. Running
 * values never close; they are emitted when changed ({@link #dirty}).
 */
final class Cells {

    /** One open window (session, running value) of one group value; folded into in place. */
    static final class Cell {
        final String key;     // the group value as JSON text: "a", 12
        long start;           // window start; a session's first event time; 0 for a running value
        long end;             // window end (exclusive); a session's last event time; 0 for a running value
        long total;
        long count;
        StringBuilder items;  // listed values as JSON texts joined by commas, or null
        boolean dirty;        // a running value changed since it was last emitted
        long closeAt;
        boolean live = true;

        Cell(String key, long start, long end) {
            this.key = key;
            this.start = start;
            this.end = end;
        }

        String items() {
            return items == null ? null : items.toString();
        }

        void add(long amount, String item) {
            total += amount;
            count++;
            if (item != null) {
                if (items == null) {
                    items = new StringBuilder(item);
                } else {
                    items.append(',').append(item);
                }
            }
        }

        void absorb(Cell other) {
            total += other.total;
            count += other.count;
            if (other.items != null) {
                if (items == null) {
                    items = new StringBuilder(other.items);
                } else {
                    items.append(',').append(other.items);
                }
            }
        }

        @Override
        public String toString() {
            return key + "@[" + start + "," + end + "] total=" + total + " count=" + count + (items == null ? "" : " items=" + items);
        }
    }

    /** Where the fold step mirrors changes: a cell written (new or changed) and a cell gone (by key and start). */
    interface Changes {
        void put(Cell cell);

        void remove(String key, long start);

        Changes NONE = new Changes() {
            @Override
            public void put(Cell cell) {
            }

            @Override
            public void remove(String key, long start) {
            }
        };
    }

    private record WindowId(String key, long start) {
    }

    private final WindowSpec spec;
    private final Map<WindowId, Cell> windows = new HashMap<>();
    private final Map<String, List<Cell>> sessions = new HashMap<>();
    private final Map<String, Cell> running = new HashMap<>();
    private final Set<Cell> dirty = new LinkedHashSet<>();
    /** Cells by the watermark that closes them; an entry whose cell has moved on (a session grew) is skipped. */
    private final TreeMap<Long, List<Cell>> byClose = new TreeMap<>();
    private int open;

    Cells(WindowSpec spec) {
        this.spec = spec;
    }

    /** Folds an event of group value {@code key} at {@code time} into every window it belongs to. */
    void add(String key, long time, long amount, String item, Changes changes) {
        switch (spec.kind()) {
            case TUMBLING, HOPPING -> {
                for (long s = spec.firstStart(time), last = spec.lastStart(time); s <= last; s += spec.advance()) {
                    Cell c = windows.get(new WindowId(key, s));
                    if (c == null) {
                        c = new Cell(key, s, s + spec.size());
                        windows.put(new WindowId(key, s), c);
                        index(c, s + spec.size() + spec.lateness());
                        open++;
                    }
                    c.add(amount, item);
                    changes.put(c);
                }
            }
            case SESSION -> addToSession(key, time, amount, item, changes);
            case RUNNING -> {
                Cell c = running.get(key);
                if (c == null) {
                    c = new Cell(key, 0, 0);
                    c.closeAt = Long.MAX_VALUE;
                    running.put(key, c);
                    open++;
                }
                c.add(amount, item);
                c.dirty = true;
                dirty.add(c);
                changes.put(c);
            }
        }
    }

    /**
     * An event joins every session of its value that it comes within {@code gap} of; if it bridges several, they
     * merge into one (the earliest keeps the list first, in time order of the sessions).
     */
    private void addToSession(String key, long time, long amount, String item, Changes changes) {
        List<Cell> mine = sessions.computeIfAbsent(key, k -> new ArrayList<>(2));
        Cell into = null;
        for (int i = 0; i < mine.size(); ) {
            Cell s = mine.get(i);
            if (time >= s.start - spec.gap() && time <= s.end + spec.gap()) {
                if (into == null) {
                    into = s;
                    i++;
                } else {
                    // bridged: the later session folds into the earlier one (the list is kept in start order)
                    mine.remove(i);
                    s.live = false;
                    open--;
                    changes.remove(s.key, s.start);
                    into.absorb(s);
                    into.end = Math.max(into.end, s.end);
                }
            } else {
                i++;
            }
        }
        if (into == null) {
            into = new Cell(key, time, time);
            int at = 0;
            while (at < mine.size() && mine.get(at).start < time) {
                at++;
            }
            mine.add(at, into);
            open++;
        } else if (time < into.start) {
            changes.remove(into.key, into.start); // stored by its start
            into.start = time;
        }
        into.end = Math.max(into.end, time);
        into.add(amount, item);
        index(into, into.end + spec.gap() + spec.lateness() + 1);
        changes.put(into);
    }

    private void index(Cell c, long closeAt) {
        c.closeAt = closeAt;
        byClose.computeIfAbsent(closeAt, k -> new ArrayList<>()).add(c);
    }

    /** Removes and returns, in closing order, every cell the watermark {@code watermark} closes. */
    List<Cell> close(long watermark) {
        List<Cell> closed = new ArrayList<>();
        while (!byClose.isEmpty() && byClose.firstKey() <= watermark) {
            Map.Entry<Long, List<Cell>> due = byClose.pollFirstEntry();
            for (Cell c : due.getValue()) {
                if (c.live && c.closeAt == due.getKey()) {
                    forget(c);
                    closed.add(c);
                }
            }
        }
        return closed;
    }

    /** Removes and returns every open window and session (the stream has gone quiet); running values stay. */
    List<Cell> closeAll() {
        return close(Long.MAX_VALUE - 1);
    }

    private void forget(Cell c) {
        c.live = false;
        open--;
        if (spec.kind() == WindowSpec.Kind.SESSION) {
            List<Cell> mine = sessions.get(c.key);
            mine.remove(c);
            if (mine.isEmpty()) {
                sessions.remove(c.key);
            }
        } else {
            windows.remove(new WindowId(c.key, c.start));
        }
    }

    /** Running values changed since they were last emitted, in the order they changed; marks them emitted. */
    List<Cell> dirty() {
        List<Cell> out = new ArrayList<>(dirty);
        dirty.clear();
        out.forEach(c -> c.dirty = false);
        return out;
    }

    /** Puts back a cell read from the state store (after a restart or when a partition moved here). */
    void restore(Cell c) {
        open++;
        switch (spec.kind()) {
            case TUMBLING, HOPPING -> {
                windows.put(new WindowId(c.key, c.start), c);
                index(c, c.end + spec.lateness());
            }
            case SESSION -> {
                List<Cell> mine = sessions.computeIfAbsent(c.key, k -> new ArrayList<>(2));
                int at = 0;
                while (at < mine.size() && mine.get(at).start < c.start) {
                    at++;
                }
                mine.add(at, c);
                index(c, c.end + spec.gap() + spec.lateness() + 1);
            }
            case RUNNING -> {
                c.closeAt = Long.MAX_VALUE;
                running.put(c.key, c);
                if (c.dirty) {
                    dirty.add(c);
                }
            }
        }
    }

    /** Open cells (windows, sessions, running values). */
    int open() {
        return open;
    }

    Collection<Cell> runningValues() {
        return running.values();
    }
}
