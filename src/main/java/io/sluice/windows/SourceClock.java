package io.sluice.windows;

import java.util.HashMap;
import java.util.Map;

/**
 * A fold task's view of every partition of the window's input topic. Events of one group value reach one fold task
 * from all input partitions, and the partitions run ahead of one another (a producer spreads records over them in
 * runs), so a window is due only once every partition has passed it. Each input partition tells every fold task how
 * far it has got — with each event it sends, and with a {@link Shuffled.Beat} when it has nothing to send — and a
 * partition counts unless it is
 * <ul>
 * <li>{@link State#EMPTY}: it has never held a record (nothing will hold the window back), or</li>
 * <li>{@link State#IDLE}: read to its end, nothing read from it and its end offset unchanged (as Kafka reports it)
 *     for the idle timeout;</li>
 * </ul>
 * a partition not heard of yet, or holding records not read yet, holds every window open. When every partition that
 * ever had data is idle, all open windows close (the last window of a quiet stream).
 *
 * <p>"Empty" and "idle" are what the partition's reader last said; its reader may be gone since (its instance
 * killed, its task moving) while records arrive. So an empty or idle partition is left out only while the end offset
 * Kafka gives for it is no further than the position its reader reported: records it has not read hold the windows
 * (found by the fault suite: a reader killed while its partition still looked empty let the other partitions close
 * windows its records then fell into as late).
 */
final class SourceClock {

    /** What an input partition says of itself. */
    enum State {
        ACTIVE, IDLE, EMPTY
    }

    /** A position not known (kept by an older version): the partition then counts as busy whenever it is left out. */
    static final long UNKNOWN = -1;

    /**
     * One input partition as last heard of: its state, highest event time (MIN_VALUE: none), whether read to its end,
     * and the offset its reader had got to ({@link #UNKNOWN} if not told).
     */
    record Source(State state, long maxTime, boolean readToEnd, long position) {
    }

    private final Map<Integer, Source> sources = new HashMap<>();
    private int partitions;

    /** An event from input partition {@code source}: it is active, and has got at least to {@code time}. */
    void event(int source, long time) {
        Source s = sources.get(source);
        if (s == null || s.state != State.ACTIVE || s.maxTime < time || s.readToEnd) {
            sources.put(source, new Source(State.ACTIVE, s == null ? time : Math.max(s.maxTime, time), false,
                    s == null ? UNKNOWN : s.position));
        }
    }

    /**
     * A beat from input partition {@code source}, one of {@code partitions}, whose reader had got to offset
     * {@code position} ({@link #UNKNOWN}: not said). Returns whether anything changed.
     */
    boolean beat(int source, int partitions, State state, long maxTime, boolean readToEnd, long position) {
        this.partitions = Math.max(this.partitions, partitions);
        Source old = sources.get(source);
        long max = old == null ? maxTime : Math.max(old.maxTime, maxTime);
        if (state == State.EMPTY && max != Long.MIN_VALUE) {
            state = State.ACTIVE; // a partition that has sent events is not empty, whatever a late beat says
        }
        Source now = new Source(state, max, readToEnd, position);
        sources.put(source, now);
        return !now.equals(old);
    }

    /**
     * The watermark, leaving an empty or idle partition out only while {@code ends} (Kafka's end offset per
     * partition; null: not known now, when nothing is left out) shows no record beyond what its reader had read.
     */
    Watermark watermark(Map<Integer, Long> ends) {
        if (partitions == 0) {
            return Watermark.NONE;
        }
        long min = Long.MAX_VALUE;
        boolean anyIdle = false;
        for (int p = 0; p < partitions; p++) {
            Source s = sources.get(p);
            if (s == null) {
                return Watermark.NONE; // not heard of yet
            }
            if (s.state != State.ACTIVE && unread(s, ends == null ? null : ends.get(p))) {
                return Watermark.NONE; // left out by its reader's word, but records have come since
            }
            switch (s.state) {
                case EMPTY -> {
                }
                case IDLE -> anyIdle = true;
                case ACTIVE -> {
                    if (s.maxTime != Long.MIN_VALUE) {
                        min = Math.min(min, s.maxTime);
                    } else if (!s.readToEnd) {
                        return Watermark.NONE; // only refused records so far, and more to read
                    }
                }
            }
        }
        if (min != Long.MAX_VALUE) {
            return new Watermark(false, min);
        }
        return anyIdle ? new Watermark(true, Long.MAX_VALUE) : Watermark.NONE;
    }

    /** Whether the partition holds records its reader had not read when it said it was empty or idle. */
    private static boolean unread(Source s, Long end) {
        if (end == null) {
            return true;
        }
        long position = s.state == State.EMPTY && s.position == UNKNOWN ? 0 : s.position;
        return position == UNKNOWN || end > position;
    }

    /** The highest event time of any partition (MIN_VALUE: none). */
    long maxTime() {
        long max = Long.MIN_VALUE;
        for (Source s : sources.values()) {
            max = Math.max(max, s.maxTime);
        }
        return max;
    }

    Map<Integer, Source> sources() {
        return sources;
    }

    int partitions() {
        return partitions;
    }

    /** Puts back what the state store kept. */
    void restore(int source, Source s, int partitions) {
        sources.put(source, s);
        this.partitions = Math.max(this.partitions, partitions);
    }
}
