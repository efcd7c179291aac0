package io.sluice.windows;

import java.util.Locale;

/**
 * What one window aggregator computes, as configured by its route-template properties (routes/windows.yaml): the
 * kind of window on the event-time field {@code timeField} (any integral unit: the seed's sales count ticks, ratings
 * use epoch milliseconds), one result per window and value of {@code groupBy} — plus, when {@code overallKey} is set,
 * one for all values together under that key.
 *
 * <ul>
 * <li>{@link Kind#TUMBLING}: windows {@code [k·size, (k+1)·size)};</li>
 * <li>{@link Kind#HOPPING}: windows {@code [s, s+size)} for every {@code s} a multiple of {@code advance}, so an event
 *     belongs to about {@code size/advance} of them;</li>
 * <li>{@link Kind#SESSION}: per value, events at most {@code gap} apart form one session ({@code window_start} = its
 *     first event's time, {@code window_end} = its last's); sessions that come within {@code gap} merge;</li>
 * <li>{@link Kind#RUNNING}: no window, the aggregate so far per value, emitted as an update.</li>
 * </ul>
 *
 * <p>A window closes once event time on the input ({@link Watermark}) reaches its end plus {@code lateness} (a session:
 * passes its last event plus {@code gap} plus {@code lateness}); or, when nothing has arrived for
 * {@code idleTimeoutMs} and the input has been read to its end, so that the last window of a quiet stream is still
 * emitted. An event that comes too far behind the time already seen on its partition is late (see {@link #late}): it
 * goes to the late topic and is never counted.
 *
 * @param aggregate what each result carries besides {@code count}: {@link Aggregate}
 */
public record WindowSpec(String name, Kind kind, String timeField, long size, long advance, long gap, long lateness,
                         String groupBy, String overallKey, Aggregate aggregate, long idleTimeoutMs) {

    /** The kinds of window, as written in the template's {@code kind} property. */
    public enum Kind {
        TUMBLING, HOPPING, SESSION, RUNNING;

        public static Kind parse(String text) {
            if (text == null || text.isBlank()) {
                return TUMBLING;
            }
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown window kind '" + text + "': use tumbling, hopping, session or running");
            }
        }

        boolean windowed() {
            return this == TUMBLING || this == HOPPING;
        }
    }

    public WindowSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a window needs a name");
        }
        kind = kind == null ? Kind.TUMBLING : kind;
        if (kind.windowed() && size < 1) {
            throw new IllegalArgumentException("window " + name + ": size must be at least 1, got " + size);
        }
        if (kind == Kind.TUMBLING) {
            advance = size;
        }
        if (kind == Kind.HOPPING && (advance < 1 || advance > size)) {
            throw new IllegalArgumentException("window " + name + ": advance must be from 1 to the size (" + size + "), got " + advance);
        }
        if (kind == Kind.SESSION && gap < 0) {
            throw new IllegalArgumentException("window " + name + ": gap must not be negative, got " + gap);
        }
        if (lateness < 0) {
            throw new IllegalArgumentException("window " + name + ": lateness must not be negative, got " + lateness);
        }
        if (groupBy == null || groupBy.isBlank()) {
            throw new IllegalArgumentException("window " + name + ": groupBy names the field to group by");
        }
        if (kind != Kind.RUNNING && (timeField == null || timeField.isBlank())) {
            throw new IllegalArgumentException("window " + name + ": timeField names the event-time field");
        }
        overallKey = overallKey == null || overallKey.isBlank() ? null : overallKey;
    }

    /** A tumbling window (the kind the first configurations used). */
    public static WindowSpec tumbling(String name, String timeField, long size, long lateness, String groupBy,
                                      String overallKey, Aggregate aggregate, long idleTimeoutMs) {
        return new WindowSpec(name, Kind.TUMBLING, timeField, size, size, 0, lateness, groupBy, overallKey, aggregate, idleTimeoutMs);
    }

    /** Whether results are windows (tumbling, hopping, session) rather than running values. */
    boolean timed() {
        return kind != Kind.RUNNING;
    }

    /** The earliest window start holding {@code time} (windows aligned to 0, also for negative times). */
    long firstStart(long time) {
        return (Math.floorDiv(time - size, advance) + 1) * advance;
    }

    /** The latest window start holding {@code time}. */
    long lastStart(long time) {
        return Math.floorDiv(time, advance) * advance;
    }

    /** Start of the tumbling window holding {@code time}. */
    public long windowStart(long time) {
        return lastStart(time);
    }

    /**
     * Why an event at {@code time} is late, or null if it is not, given the highest event time {@code seen} so far on
     * its own input partition. Decided once per event, where it is read, so every result it would count in (its group
     * and the overall one, every hopping window) agrees: a window closes only once every partition has passed its
     * end plus the lateness, so an event that passes this check always finds its windows open.
     * <ul>
     * <li>tumbling and hopping: late when the first of its windows to close ends, plus the lateness, at or before
     *     {@code seen};</li>
     * <li>session: late when it is more than the lateness behind {@code seen} (a session it could join may have
     *     closed);</li>
     * <li>running: never.</li>
     * </ul>
     */
    String late(long time, long seen) {
        if (seen == Long.MIN_VALUE) {
            return null;
        }
        switch (kind) {
            case TUMBLING, HOPPING -> {
                long start = firstStart(time);
                long end = start + size;
                if (end + lateness <= seen) {
                    return "late: " + timeField + " " + time + " falls in window [" + start + ", " + end + "), closed already ("
                            + timeField + " " + seen + " has been read on its partition; allowed lateness " + lateness + ")";
                }
                return null;
            }
            case SESSION -> {
                if (time + lateness < seen) {
                    return "late: " + timeField + " " + time + " is more than the allowed lateness " + lateness + " behind "
                            + timeField + " " + seen + ", read already on its partition";
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * What a result carries besides {@code count}: the sum of an integral field ({@code total_<field>}) and/or the
     * list of a field's values in arrival order (under the field's own name). Written in properties as a
     * comma-separated list: {@code sum:amount}, {@code count}, {@code count,list:stars}.
     */
    public record Aggregate(String sumField, String listField) {

        public static Aggregate parse(String text) {
            String sum = null;
            String list = null;
            for (String part : text == null ? new String[0] : text.split(",")) {
                String p = part.trim();
                if (p.isEmpty() || p.equals("count")) {
                    continue;
                }
                if (p.startsWith("sum:") && p.length() > 4) {
                    sum = p.substring(4).trim();
                } else if (p.startsWith("list:") && p.length() > 5) {
                    list = p.substring(5).trim();
                } else {
                    throw new IllegalArgumentException("unknown aggregate '" + p + "': use count, sum:<field> or list:<field>");
                }
            }
            return new Aggregate(sum, list);
        }
    }
}
