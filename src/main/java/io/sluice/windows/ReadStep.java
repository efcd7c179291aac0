package io.sluice.windows;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

import io.sluice.kafka.JsonRecord.Refused;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First step of a window, one task per input partition: reads each record, sends records it cannot use to the
 * window's dead-letter topic and late ones to its late topic (decided here, once per event — see
 * {@link WindowSpec#late}), and sends the rest on to the fold step keyed by group value (plus a copy for the overall
 * result). How far its partition has got — highest event time, position, read to the end or idle — goes to every
 * fold task as a {@link Shuffled.Beat} whenever it changes.
 *
 * <p>Its position and highest event time are in a state store, committed with the input offsets (exactly once), so
 * after a crash or a rebalance the next owner judges lateness exactly as this one would have.
 */
final class ReadStep implements Processor<String, byte[], String, Object> {

    static final String STORE = "read-position";
    private static final Logger LOG = LoggerFactory.getLogger(ReadStep.class);

    private final Window window;
    private final EventReader reader;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<Bytes, byte[]> store;
    private Bytes storeKey;
    private int partition;
    private long nextOffset;
    private long maxTime = Long.MIN_VALUE;
    private long lastRecordAt;
    private long startedAt;
    private Long lastEnd;
    private long endSince;
    private Shuffled.Beat lastBeat;
    private long read;
    private long late;
    private boolean endsUnknown;

    ReadStep(Window window) {
        this.window = window;
        this.reader = window.reader();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        this.store = context.getStateStore(STORE);
        this.storeKey = Bytes.wrap(ByteBuffer.allocate(4).putInt(partition).array());
        byte[] kept = store.get(storeKey);
        if (kept != null) {
            ByteBuffer b = ByteBuffer.wrap(kept);
            nextOffset = b.getLong();
            maxTime = b.getLong();
        }
        startedAt = context.currentSystemTimeMs();
        context.schedule(Duration.ofMillis(window.beatMs()), PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        long offset = meta.offset();
        nextOffset = offset + 1;
        lastRecordAt = context.currentSystemTimeMs();
        read++;
        EventReader.Event event;
        try {
            event = reader.read(record.value());
        } catch (Refused e) {
            context.forward(record.withValue(window.letter(window.dlqTopic(), e.getMessage(), partition, offset, record.value())));
            save();
            return;
        }
        String lateReason = window.spec().late(event.time(), maxTime);
        if (lateReason != null) {
            late++;
            context.forward(record.withValue(window.letter(window.lateTopic(), lateReason, partition, offset, record.value())));
            save();
            return;
        }
        if (window.spec().timed()) {
            maxTime = Math.max(maxTime, event.time());
        }
        // without the input's headers: the fold step needs none, and they would only make the repartition topic bigger
        context.forward(new Record<>(event.key(), new Shuffled.Event(partition, offset, event.time(), event.amount(),
                event.item(), event.id(), true, record.key(), record.value()), record.timestamp()));
        if (window.overallKey() != null) {
            context.forward(new Record<>(window.overallKey(), new Shuffled.Event(partition, offset, event.time(),
                    event.amount(), event.item(), event.id(), false, null, null), record.timestamp()));
        }
        save();
    }

    private void save() {
        store.put(storeKey, ByteBuffer.allocate(16).putLong(nextOffset).putLong(maxTime).array());
    }

    /** Wall-clock tick: counts, and a beat to every fold task when this partition's standing has changed. */
    private void tick(long now) {
        if (read > 0) {
            window.metrics().in(window.flow(), window.topic(), read);
            read = 0;
        }
        if (late > 0) {
            window.metrics().late(window.spec().name(), late);
            late = 0;
        }
        if (!window.spec().timed()) {
            return; // a running value needs no clock
        }
        Map<Integer, Long> ends = window.endOffsets();
        if (ends == null) {
            if (!endsUnknown) {
                endsUnknown = true;
                LOG.info("window {} input partition {}: Kafka's end offsets are not known now; no beat until they are",
                        window.spec().name(), partition);
            }
            return; // Kafka cannot say how far the input goes: tell the fold step nothing new
        }
        endsUnknown = false;
        int partitions = ends.size();
        Long end = ends.get(partition);
        SourceClock.State state = SourceClock.State.ACTIVE;
        boolean readToEnd = false;
        if (end != null) {
            // Kafka's answer can be older than what this task has read already (it is asked every 250 ms)
            end = Math.max(end, nextOffset);
            if (!end.equals(lastEnd)) {
                lastEnd = end;
                endSince = now;
            }
            readToEnd = nextOffset >= end;
            if (end == 0) {
                // never held a record (found by a test: a stale end offset of 0 after the first records made a
                // partition that had sent events look empty, so the fold step left it out of the watermark)
                state = SourceClock.State.EMPTY;
            } else if (readToEnd && now - Math.max(Math.max(lastRecordAt, endSince), startedAt) >= window.spec().idleTimeoutMs()) {
                // quiet only once Kafka has reported the same end for the idle timeout: right after an outage nothing
                // has been read for a while, yet the records held up upstream are still coming
                state = SourceClock.State.IDLE;
            }
        }
        Shuffled.Beat beat = new Shuffled.Beat(partition, partitions, state, maxTime, readToEnd, nextOffset);
        if (!beat.equals(lastBeat)) {
            LOG.debug("window {} input partition {}: beat {} (next offset {}, end {})", window.spec().name(), partition,
                    beat, nextOffset, end);
            lastBeat = beat;
            context.forward(new Record<>("", beat, now));
        }
    }
}
