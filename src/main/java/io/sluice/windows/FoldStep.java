package io.sluice.windows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Second step of a window, one task per partition of the repartition topic: every event of a group value meets
 * here, from whichever input partition it came. Folds events into {@link Cells}, follows how far every input
 * partition has got ({@link SourceClock}) and emits one result per window and value once the watermark has passed
 * it. State lives in memory and is mirrored, change by change, into Kafka Streams state stores (cached, logged to
 * changelog topics and committed in the same transaction as the input offsets and the results: exactly once across
 * crashes and rebalances); a task that starts here reads them back.
 */
final class FoldStep implements Processor<String, Shuffled, String, Shuffled.Out> {

    static final String CELLS = "cells";
    private static final Logger LOG = LoggerFactory.getLogger(FoldStep.class);
    static final String SEEN = "seen";
    static final String CLOCK = "clock";
    private static final Bytes LAST_WATERMARK = Bytes.wrap("watermark".getBytes(StandardCharsets.UTF_8));
    private static final Bytes FORCED = Bytes.wrap("quiet-close".getBytes(StandardCharsets.UTF_8));

    private final Window window;
    private final WindowSpec spec;
    private final Cells cells;
    private final SourceClock clock = new SourceClock();
    /** Event ids counted in an open window, per group value (idField), and when each may be forgotten. */
    private final Map<String, Long> seen = new HashMap<>();
    private final TreeMap<Long, List<String>> seenExpiry = new TreeMap<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private ProcessorContext<String, Shuffled.Out> context;
    private KeyValueStore<Bytes, byte[]> cellStore;
    private KeyValueStore<Bytes, byte[]> seenStore;
    private KeyValueStore<Bytes, byte[]> clockStore;
    /** The highest watermark windows were closed at: an event of a window closed by it is late. */
    private long lastWatermark = Long.MIN_VALUE;
    /** Every event up to this time is late: the stream went quiet and every window up to here closed. */
    private long quietUpTo = Long.MIN_VALUE;
    private long closedResults;

    private final Cells.Changes changes = new Cells.Changes() {
        @Override
        public void put(Cells.Cell cell) {
            cellStore.put(cellKey(cell.key, cell.start), encode(cell));
        }

        @Override
        public void remove(String key, long start) {
            cellStore.delete(cellKey(key, start));
        }
    };

    FoldStep(Window window) {
        this.window = window;
        this.spec = window.spec();
        this.cells = new Cells(spec);
    }

    @Override
    public void init(ProcessorContext<String, Shuffled.Out> context) {
        this.context = context;
        cellStore = context.getStateStore(CELLS);
        seenStore = context.getStateStore(SEEN);
        clockStore = context.getStateStore(CLOCK);
        try (KeyValueIterator<Bytes, byte[]> all = cellStore.all()) {
            while (all.hasNext()) {
                KeyValue<Bytes, byte[]> kv = all.next();
                cells.restore(decode(kv.key.get(), kv.value));
            }
        }
        try (KeyValueIterator<Bytes, byte[]> all = seenStore.all()) {
            while (all.hasNext()) {
                KeyValue<Bytes, byte[]> kv = all.next();
                remember(new String(kv.key.get(), StandardCharsets.UTF_8), ByteBuffer.wrap(kv.value).getLong());
            }
        }
        try (KeyValueIterator<Bytes, byte[]> all = clockStore.all()) {
            while (all.hasNext()) {
                KeyValue<Bytes, byte[]> kv = all.next();
                ByteBuffer v = ByteBuffer.wrap(kv.value);
                if (kv.key.equals(LAST_WATERMARK)) {
                    lastWatermark = v.getLong();
                } else if (kv.key.equals(FORCED)) {
                    quietUpTo = v.getLong();
                } else {
                    int source = ByteBuffer.wrap(kv.key.get()).getInt();
                    SourceClock.State state = SourceClock.State.values()[v.get()];
                    long maxTime = v.getLong();
                    boolean readToEnd = v.get() == 1;
                    int partitions = v.getInt();
                    // kept before sources had a position: unknown
                    long position = v.remaining() >= 8 ? v.getLong() : SourceClock.UNKNOWN;
                    clock.restore(source, new SourceClock.Source(state, maxTime, readToEnd, position), partitions);
                }
            }
        }
        if (spec.kind() == WindowSpec.Kind.RUNNING) {
            context.schedule(Duration.ofMillis(window.emitIntervalMs()), PunctuationType.WALL_CLOCK_TIME, now -> emitRunning());
        }
        if (LOG.isDebugEnabled() && spec.timed()) {
            // what holds windows open, for a window that stops closing
            context.schedule(Duration.ofSeconds(10), PunctuationType.WALL_CLOCK_TIME, now -> {
                Map<Integer, Long> ends = window.endOffsets();
                LOG.debug("window {} task {}: watermark {}, closed up to {}, quiet up to {}, sources {}, input ends {}",
                        spec.name(), context.taskId(), clock.watermark(ends), lastWatermark, quietUpTo, clock.sources(), ends);
            });
        }
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> {
            if (spec.timed()) {
                // a partition left out only once Kafka's end offsets agree with its reader: they may come after its beat
                closeDue();
            }
            if (closedResults > 0) {
                window.metrics().windowsClosed(spec.name(), closedResults);
                window.metrics().out(window.flow(), window.outputTopic(), closedResults);
                closedResults = 0;
            }
        });
    }

    @Override
    public void process(Record<String, Shuffled> record) {
        if (record.value() instanceof Shuffled.Beat b) {
            boolean changed = clock.beat(b.source(), b.partitions(), b.state(), b.maxTime(), b.readToEnd(), b.position());
            // kept at every beat, even when events had told this task as much already: what is kept must never
            // say a partition is empty or quiet after it has sent events (found by the fault suite: a task restored
            // elsewhere read a partition as empty, left it out of the watermark and closed windows it still fed)
            keepSource(b.source());
            if (changed) {
                closeDue();
            }
            return;
        }
        Shuffled.Event e = (Shuffled.Event) record.value();
        String key = record.key();
        if (spec.timed()) {
            String late = lateHere(e.time());
            if (late != null) {
                if (e.primary()) { // the overall copy of the same event is dropped silently: one letter per event
                    context.forward(new Record<>(e.origKey(), window.letter(window.lateTopic(), late, e.source(), e.offset(), e.payload()),
                            record.timestamp()));
                    window.metrics().late(spec.name(), 1);
                }
                return;
            }
            SourceClock.Source before = clock.sources().get(e.source());
            clock.event(e.source(), e.time());
            if (before == null || before.state() != SourceClock.State.ACTIVE || before.readToEnd()) {
                keepSource(e.source()); // active again: kept at once (a later maxTime may lag behind, that is safe)
            }
        }
        if (e.id() != null) {
            String id = key + '\u0000' + e.id();
            if (seen.containsKey(id)) {
                return; // counted already: the same event produced again upstream (e.g. enriched twice around a crash)
            }
            long expiry = switch (spec.kind()) {
                case SESSION -> e.time() + spec.gap() + spec.lateness() + 1;
                default -> spec.lastStart(e.time()) + spec.size() + spec.lateness();
            };
            remember(id, expiry);
            seenStore.put(Bytes.wrap(id.getBytes(StandardCharsets.UTF_8)), ByteBuffer.allocate(8).putLong(expiry).array());
        }
        cells.add(key, e.time(), e.amount(), e.item(), changes);
        if (spec.timed()) {
            closeDue();
        }
    }

    /**
     * Late here, although the read step let it through: only after the stream went quiet and every window closed
     * (the read step cannot know how far the other partitions had got), or after a restart that forgot nothing yet
     * met an event of a window this task closed.
     */
    private String lateHere(long time) {
        if (quietUpTo != Long.MIN_VALUE) {
            // the quiet close closed every window holding a time up to quietUpTo (sessions: every session, the last of
            // them ending at quietUpTo at the latest), whether this task had a cell in it or not
            boolean closedQuietly = spec.kind() == WindowSpec.Kind.SESSION
                    ? time <= quietUpTo + spec.gap()
                    : spec.firstStart(time) <= spec.lastStart(quietUpTo);
            if (closedQuietly) {
                return "late: " + spec.timeField() + " " + time + " falls in a window closed already when the stream went"
                        + " quiet (every window holding " + spec.timeField() + " " + quietUpTo + " or earlier closed)";
            }
        }
        boolean closed = switch (spec.kind()) {
            case SESSION -> time + spec.lateness() < lastWatermark;
            default -> spec.firstStart(time) + spec.size() + spec.lateness() <= lastWatermark;
        };
        return closed ? "late: " + spec.timeField() + " " + time + " falls in a window closed already (closed up to "
                + spec.timeField() + " " + lastWatermark + "; allowed lateness " + spec.lateness() + ")" : null;
    }

    /** Keeps what this task knows of input partition {@code source} in the clock store. */
    private void keepSource(int source) {
        SourceClock.Source s = clock.sources().get(source);
        clockStore.put(Bytes.wrap(ByteBuffer.allocate(4).putInt(source).array()),
                ByteBuffer.allocate(1 + 8 + 1 + 4 + 8).put((byte) s.state().ordinal()).putLong(s.maxTime())
                        .put((byte) (s.readToEnd() ? 1 : 0)).putInt(clock.partitions()).putLong(s.position()).array());
    }

    private void closeDue() {
        Watermark wm = clock.watermark(window.endOffsets());
        List<Cells.Cell> closed;
        if (wm.closeAll()) {
            closed = cells.closeAll();
            long upTo = clock.maxTime();
            if (upTo > quietUpTo) { // the same on every fold task: they all heard the same beats
                quietUpTo = upTo;
                clockStore.put(FORCED, ByteBuffer.allocate(8).putLong(quietUpTo).array());
            }
            forgetSeen(Long.MAX_VALUE);
        } else if (wm.time() > lastWatermark) {
            closed = cells.close(wm.time());
            if (!closed.isEmpty()) {
                lastWatermark = wm.time();
                clockStore.put(LAST_WATERMARK, ByteBuffer.allocate(8).putLong(lastWatermark).array());
            }
            forgetSeen(wm.time());
        } else {
            return;
        }
        for (Cells.Cell c : closed) {
            cellStore.delete(cellKey(c.key, c.start));
            emit(c, window.resultKey(c.key) + "@" + c.start);
        }
        closedResults += closed.size();
    }

    private void emitRunning() {
        List<Cells.Cell> changed = cells.dirty();
        for (Cells.Cell c : changed) {
            changes.put(c); // now marked emitted, in the same transaction as the update
            emit(c, window.resultKey(c.key));
        }
        closedResults += changed.size();
    }

    private void emit(Cells.Cell c, String key) {
        context.forward(new Record<>(key, new Shuffled.Out(window.outputTopic(), result(c)), context.currentSystemTimeMs()));
    }

    /** {"window_start","window_end","<groupBy>": value, "total_<field>", "count", "<list field>": [...]} */
    private byte[] result(Cells.Cell c) {
        buffer.reset();
        try (JsonGenerator g = window.json().getFactory().createGenerator(buffer)) {
            g.writeStartObject();
            if (spec.timed()) {
                g.writeNumberField("window_start", c.start);
                g.writeNumberField("window_end", c.end);
            }
            g.writeFieldName(spec.groupBy());
            g.writeRawValue(c.key);
            if (spec.aggregate().sumField() != null) {
                g.writeNumberField("total_" + spec.aggregate().sumField(), c.total);
            }
            g.writeNumberField("count", c.count);
            if (spec.aggregate().listField() != null) {
                g.writeFieldName(spec.aggregate().listField());
                g.writeRawValue("[" + (c.items == null ? "" : c.items) + "]");
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private void remember(String id, long expiry) {
        seen.put(id, expiry);
        seenExpiry.computeIfAbsent(expiry, k -> new ArrayList<>()).add(id);
    }

    private void forgetSeen(long upTo) {
        while (!seenExpiry.isEmpty() && seenExpiry.firstKey() <= upTo) {
            for (String id : seenExpiry.pollFirstEntry().getValue()) {
                seen.remove(id);
                seenStore.delete(Bytes.wrap(id.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    static Bytes cellKey(String key, long start) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(k.length + 1 + 8).put(k).put((byte) 0).putLong(start).array());
    }

    static byte[] encode(Cells.Cell c) {
        byte[] items = c.items == null ? null : c.items.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 * 4 + 1 + 4 + (items == null ? 0 : items.length))
                .putLong(c.start).putLong(c.end).putLong(c.total).putLong(c.count).put((byte) (c.dirty ? 1 : 0));
        if (items == null) {
            b.putInt(-1);
        } else {
            b.putInt(items.length).put(items);
        }
        return b.array();
    }

    static Cells.Cell decode(byte[] key, byte[] value) {
        String k = new String(key, 0, key.length - 9, StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(value);
        Cells.Cell c = new Cells.Cell(k, b.getLong(), b.getLong());
        c.total = b.getLong();
        c.count = b.getLong();
        c.dirty = b.get() == 1;
        int n = b.getInt();
        if (n >= 0) {
            byte[] items = new byte[n];
            b.get(items);
            c.items = new StringBuilder(new String(items, StandardCharsets.UTF_8));
        }
        return c;
    }
}
