package io.sluice.windows;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams topology of one window: input → {@link ReadStep} (dead and late letters straight to their
 * topics) → repartition topic keyed by group value → {@link FoldStep} → results. Kafka Streams runs it: partitions
 * are spread over the instances of the same application id, state stores are logged to changelog topics and move
 * with their partitions, and {@code exactly_once_v2} commits results, state and input offsets in one transaction.
 */
final class WindowTopology {

    /** The repartition topic is {@code <application id>-by-group-repartition}. */
    static final String REPARTITION = "by-group";

    private WindowTopology() {
    }

    static Topology build(Window window) {
        StreamsBuilder b = new StreamsBuilder();
        for (String store : new String[] {ReadStep.STORE, FoldStep.CELLS, FoldStep.SEEN, FoldStep.CLOCK}) {
            // in memory, with a cache in front: a cell changed a hundred times between two commits is logged once
            b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.Bytes(), Serdes.ByteArray())
                    .withCachingEnabled());
        }
        KStream<String, byte[]> in = b.stream(window.topic(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("input"));
        var branches = in.process(() -> new ReadStep(window), Named.as("read"), ReadStep.STORE)
                .split(Named.as("read-"))
                .branch((k, v) -> v instanceof Shuffled.Out, Branched.as("letters"))
                .defaultBranch(Branched.as("events"));
        KStream<String, Shuffled.Out> letters = cast(branches.get("read-letters"));
        letters.to((k, v, ctx) -> v.topic(), Produced.with(Serdes.String(), Shuffled.outSerde()).withName("letters"));
        KStream<String, Shuffled> events = cast(branches.get("read-events"));
        events.repartition(Repartitioned.<String, Shuffled>as(REPARTITION).withKeySerde(Serdes.String())
                        .withValueSerde(Shuffled.serde()).withStreamPartitioner(new ByGroup()))
                .process(() -> new FoldStep(window), Named.as("fold"), FoldStep.CELLS, FoldStep.SEEN, FoldStep.CLOCK)
                .to((k, v, ctx) -> v.topic(), Produced.with(Serdes.String(), Shuffled.outSerde()).withName("results"));
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static <K, V> KStream<K, V> cast(KStream<?, ?> stream) {
        return (KStream<K, V>) stream;
    }

    /** Events by group value; a beat to every partition, so every fold task hears how far each input partition got. */
    static final class ByGroup implements StreamPartitioner<String, Shuffled> {

        @Override
        @Deprecated
        public Integer partition(String topic, String key, Shuffled value, int partitions) {
            return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
        }

        @Override
        @SuppressWarnings("deprecation")
        public Optional<Set<Integer>> partitions(String topic, String key, Shuffled value, int partitions) {
            if (value instanceof Shuffled.Beat) {
                return Optional.of(IntStream.range(0, partitions).boxed().collect(Collectors.toSet()));
            }
            return Optional.of(Set.of(partition(topic, key, value, partitions)));
        }
    }
}
