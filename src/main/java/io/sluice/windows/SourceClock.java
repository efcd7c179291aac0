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
 */
final class SourceClock {

    /** What an input partition says of itself. */
    enum State {
        ACTIVE, IDLE, EMPTY
    }

    /** One input partition as last heard of: its state, highest event time (MIN_VALUE: none) and whether read to its end. */
    record Source(State state, long maxTime, boolean readToEnd) {
    }

    private final Map<Integer, Source> sources = new HashMap<>();
    private int partitions;

    /** An event from input partition {@code source}: it is active, and has got at least to {@code time}. */
    void event(int source, long time) {
        Source s = sources.get(source);
        if (s == null || s.state != State.ACTIVE || s.maxTime < time || s.readToEnd) {
            sources.put(source, new Source(State.ACTIVE, s == null ? time : Math.max(s.maxTime, time), false));
        }
    }

    /** A beat from input partition {@code source}, one of {@code partitions}. Returns whether anything changed. */
    boolean beat(int source, int partitions, State state, long maxTime, boolean readToEnd) {
        this.partitions = Math.max(this.partitions, partitions);
        Source old = sources.get(source);
        long max = old == null ? maxTime : Math.max(old.maxTime, maxTime);
        if (state == State.EMPTY && max != Long.MIN_VALUE) {
            state = State.ACTIVE; // a partition that has sent events is not empty, whatever a late beat says
        }
        Source now = new Source(state, max, readToEnd);
        sources.put(source, now);
        return !now.equals(old);
    }

    Watermark watermark() {
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
