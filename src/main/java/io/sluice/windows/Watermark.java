package io.sluice.windows;

/**
 * How far event time has got on a window's input, as far as a fold task can tell: see {@link SourceClock}.
 *
 * @param closeAll every partition that ever had data has gone quiet: close every open window
 * @param time     the lowest of the partitions' highest event times ({@link Long#MIN_VALUE}: nothing may close)
 */
public record Watermark(boolean closeAll, long time) {

    /** Nothing may close. */
    static final Watermark NONE = new Watermark(false, Long.MIN_VALUE);
}
