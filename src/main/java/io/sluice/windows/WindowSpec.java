package io.sluice.windows;

/**
 * What one window aggregator computes, as configured by its route-template properties: tumbling windows
 * {@code [k·size, (k+1)·size)} on the event-time field {@code timeField} (any integral unit: the seed's sales
 * count ticks, ratings use epoch milliseconds), one result per window and value of {@code groupBy} — plus, when
 * {@code overallKey} is set, one for all values together under that key.
 *
 * <p>A window closes once event time on the input ({@link Watermark}) reaches its end plus {@code lateness}; or,
 * when nothing has arrived for {@code idleTimeoutMs} and the input has been read to its end, so that the last
 * window of a quiet stream is still emitted. An event whose window has closed is late: it goes to the late topic
 * and is never folded in.
 *
 * @param aggregate what each result carries besides {@code count}: {@link Aggregate}
 */
public record WindowSpec(String name, String timeField, long size, long lateness, String groupBy, String overallKey,
                         Aggregate aggregate, long idleTimeoutMs) {

    public WindowSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a window needs a name");
        }
        if (size < 1) {
            throw new IllegalArgumentException("window " + name + ": size must be at least 1, got " + size);
        }
        if (lateness < 0) {
            throw new IllegalArgumentException("window " + name + ": lateness must not be negative, got " + lateness);
        }
        if (groupBy == null || groupBy.isBlank()) {
            throw new IllegalArgumentException("window " + name + ": groupBy names the field to group by");
        }
        overallKey = overallKey == null || overallKey.isBlank() ? null : overallKey;
    }

    /** Start of the window holding event time {@code time} (aligned to 0, also for negative times). */
    public long windowStart(long time) {
        return Math.floorDiv(time, size) * size;
    }

    /** The latest window start whose window is closed at {@code watermark} (end + lateness reached). */
    public long lastClosedStart(long watermark) {
        return watermark - lateness - size;
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
