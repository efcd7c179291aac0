package io.sluice.windows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What the read step sends the fold step through the window's repartition topic (keyed by group value, so every
 * event of one value meets in one fold task whatever input partition it came from): events, and beats telling how
 * far an input partition has got. A compact binary form, read only by Sluice.
 */
sealed interface Shuffled permits Shuffled.Event, Shuffled.Beat {

    /**
     * One event for one result: its group value's (the record key) or, as a second copy, the overall one.
     *
     * @param primary the copy for the event's own group value: the one that speaks for the event (late letter), with
     *                the input record's key and bytes ({@code origKey}, {@code payload}); the overall copy has neither
     */
    record Event(int source, long offset, long time, long amount, String item, String id, boolean primary,
                 String origKey, byte[] payload) implements Shuffled {
    }

    /** How far input partition {@code source} (of {@code partitions}) has got. */
    record Beat(int source, int partitions, SourceClock.State state, long maxTime, boolean readToEnd, long position) implements Shuffled {
    }

    /** A record for one of the window's output topics (result, late or dead letter), written as {@code value}. */
    record Out(String topic, byte[] value) {
    }

    byte EVENT = 1;
    byte BEAT = 2;

    static Serde<Shuffled> serde() {
        return Serdes.serdeFrom(new Writer(), new Reader());
    }

    static Serde<Out> outSerde() {
        Serializer<Out> write = (topic, out) -> out == null ? null : out.value();
        Deserializer<Out> read = (topic, bytes) -> new Out(topic, bytes);
        return Serdes.serdeFrom(write, read);
    }

    final class Writer implements Serializer<Shuffled> {
        @Override
        public byte[] serialize(String topic, Shuffled data) {
            if (data instanceof Beat b) {
                return ByteBuffer.allocate(1 + 4 + 4 + 1 + 8 + 1 + 8).put(BEAT).putInt(b.source()).putInt(b.partitions())
                        .put((byte) b.state().ordinal()).putLong(b.maxTime()).put((byte) (b.readToEnd() ? 1 : 0))
                        .putLong(b.position()).array();
            }
            Event e = (Event) data;
            byte[] item = bytes(e.item());
            byte[] id = bytes(e.id());
            byte[] key = e.primary() ? bytes(e.origKey()) : null;
            byte[] payload = e.primary() ? e.payload() : null;
            int size = 1 + 4 + 8 + 8 + 8 + 1 + len(item) + len(id) + (e.primary() ? len(key) + len(payload) : 0);
            ByteBuffer buf = ByteBuffer.allocate(size).put(EVENT).putInt(e.source()).putLong(e.offset()).putLong(e.time())
                    .putLong(e.amount()).put((byte) (e.primary() ? 1 : 0));
            put(buf, item);
            put(buf, id);
            if (e.primary()) {
                put(buf, key);
                put(buf, payload);
            }
            return buf.array();
        }
    }

    final class Reader implements Deserializer<Shuffled> {
        @Override
        public Shuffled deserialize(String topic, byte[] data) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            if (buf.get() == BEAT) {
                int source = buf.getInt();
                int partitions = buf.getInt();
                SourceClock.State state = SourceClock.State.values()[buf.get()];
                long maxTime = buf.getLong();
                boolean readToEnd = buf.get() == 1;
                // a beat written before beats carried the position: unknown, which holds windows as a busy partition does
                return new Beat(source, partitions, state, maxTime, readToEnd, buf.remaining() >= 8 ? buf.getLong() : SourceClock.UNKNOWN);
            }
            int source = buf.getInt();
            long offset = buf.getLong();
            long time = buf.getLong();
            long amount = buf.getLong();
            boolean primary = buf.get() == 1;
            String item = string(get(buf));
            String id = string(get(buf));
            String origKey = primary ? string(get(buf)) : null;
            byte[] payload = primary ? get(buf) : null;
            return new Event(source, offset, time, amount, item, id, primary, origKey, payload);
        }
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static int len(byte[] b) {
        return 4 + (b == null ? 0 : b.length);
    }

    private static void put(ByteBuffer buf, byte[] b) {
        if (b == null) {
            buf.putInt(-1);
        } else {
            buf.putInt(b.length).put(b);
        }
    }

    private static byte[] get(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }
}
