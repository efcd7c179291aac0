package io.sluice.windows;

import java.util.Map;

/**
 * How far event time has got on a window's input, decided at each close from the partitions of the input topic:
 * the lowest of their highest event times. Each partition is in time order on its own, but they run ahead of one
 * another (a producer spreads records over them in runs), so a window is due only once every partition has
 * passed it. A partition counts unless it is
 * <ul>
 * <li>empty and never read (nothing will hold the window back), or</li>
 * <li>idle: read to its end, nothing folded from it and its end offset unchanged (as Kafka reports it) for the
 *     idle timeout;</li>
 * </ul>
 * a partition holding records nobody has folded yet holds every window open. When every partition that ever had
 * data is idle, all open windows close (the last window of a quiet stream).
 */
public record Watermark(boolean closeAll, long time) {

    /** Nothing may close. */
    static final Watermark NONE = new Watermark(false, Long.MIN_VALUE);

    /**
     * @param ends       per {@code topic:partition} of the input topic, its end offset now
     * @param partitions per {@code topic:partition}, what has been folded from it (absent: nothing yet)
     */
    static Watermark of(Map<String, Long> ends, Map<String, WindowStore.Partition> partitions, long now, long idleTimeoutMs) {
        return of(ends, partitions, now, idleTimeoutMs, Long.MIN_VALUE);
    }

    /**
     * @param quietSince since when Kafka has kept reporting these very end offsets: a partition counts as idle only
     *                   after the idle timeout from then too. Kafka unreachable is not a quiet stream — right after an
     *                   outage nothing has been folded for a while, yet the records held up upstream are still coming
     *                   (found by the fault suite: a 30 s broker outage closed the ratings windows early)
     */
    static Watermark of(Map<String, Long> ends, Map<String, WindowStore.Partition> partitions, long now, long idleTimeoutMs,
                        long quietSince) {
        long min = Long.MAX_VALUE;
        boolean anyIdle = false;
        for (Map.Entry<String, Long> e : ends.entrySet()) {
            long end = e.getValue();
            WindowStore.Partition p = partitions.get(e.getKey());
            if (p == null) {
                if (end > 0) {
                    return NONE; // records not read at all yet
                }
                continue;
            }
            boolean readToEnd = p.nextOffset() >= end;
            if (readToEnd && now - Math.max(p.foldedAt(), quietSince) >= idleTimeoutMs) {
                anyIdle = true;
            } else if (p.maxTime() != Long.MIN_VALUE) {
                min = Math.min(min, p.maxTime());
            } else if (!readToEnd) {
                return NONE; // only refused records so far, and more to read
            }
        }
        if (min != Long.MAX_VALUE) {
            return new Watermark(false, min);
        }
        return anyIdle ? new Watermark(true, Long.MAX_VALUE) : NONE;
    }
}
