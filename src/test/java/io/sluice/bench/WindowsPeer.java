package io.sluice.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.bench.SalesWorkload.Total;
import io.sluice.harness.SluiceStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;

import static org.awaitility.Awaitility.await;

/**
 * The peer: the sales windows as a Kafka Streams user writes them — sales deserialised with Jackson, event time from
 * {@code time} (a TimestampExtractor, one unit = one millisecond), each sale twice (its item and the overall
 * {@code "*"}), groupByKey (a repartition by key), 5-unit tumbling windows with a grace, sum and count into the
 * default RocksDB window store, {@code suppress(untilWindowCloses(unbounded))} for one final result per window,
 * {@code exactly_once_v2}, one stream thread. Results in Sluice's shape and key.
 *
 * <p>Grace: after the repartition, the records of several input partitions interleave in each task as the single
 * thread happens to read them — a fetch brings up to 1 MiB (some 20 000 sales) of one partition at a time — so a
 * task's stream time runs ahead of the sales still to come from a partition that is behind, and those fall into
 * windows already closed (dropped as late). The grace is the smallest that kept the totals exact here (see the
 * README, "Benchmarks"); {@code -Dbench.windows.grace} sets one for every partition count instead.
 */
final class WindowsPeer implements WindowsContender {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** One partition: the sales arrive in time order, none is late. */
    static final long GRACE_ONE_PARTITION = 0;
    /**
     * Several: the largest lateness Kafka Streams logged for a skipped record at grace 0 (stream time − window end + 1),
     * 1 000 000 sales on 3 partitions, three runs: 77 190, 92 203, 115 185 — it varies with where the partitioner put
     * the sales in each run's fresh topic. The largest plus 30 %.
     */
    static final long GRACE_SEVERAL_PARTITIONS = 150_000;

    record Sale(String item, long amount, long time) {
    }

    /** -1: by partition count */
    private final long fixedGrace = Long.getLong("bench.windows.grace", -1);

    @Override
    public String name() {
        return "peer (Kafka Streams)";
    }

    @Override
    public long closeLag(Run run) {
        return grace(run.partitions());
    }

    long grace(int partitions) {
        return fixedGrace >= 0 ? fixedGrace : partitions == 1 ? GRACE_ONE_PARTITION : GRACE_SEVERAL_PARTITIONS;
    }

    @Override
    public Running start(Run run) throws Exception {
        Path state = Files.createTempDirectory("bench-windows-streams");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, run.id());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, run.brokers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        KafkaStreams streams = new KafkaStreams(topology(run.input(), run.output(), run.size(), closeLag(run)), p);
        streams.start();
        return new Running() {
            @Override
            public void closeLastWindows() throws Exception {
                endMarkers(run);
            }

            @Override
            public long late() {
                return (long) streams.metrics().values().stream()
                        .filter(m -> m.metricName().name().equals("dropped-records-total")
                                && m.metricName().group().equals("stream-task-metrics"))
                        .mapToDouble(m -> ((Number) m.metricValue()).doubleValue()).sum();
            }

            @Override
            public void close() {
                streams.close(Duration.ofSeconds(30));
                SluiceStack.deleteTree(state);
            }
        };
    }

    static Topology topology(String input, String output, long size, long grace) {
        Serde<Sale> sales = Serdes.serdeFrom((topic, s) -> unchecked(() -> JSON.writeValueAsBytes(s)),
                (topic, data) -> unchecked(() -> JSON.readValue(data, Sale.class)));
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.ByteArray(), sales)
                        .withTimestampExtractor((record, partitionTime) -> ((Sale) record.value()).time()))
                .flatMap((k, s) -> List.of(KeyValue.pair(s.item(), s.amount()), KeyValue.pair(SalesWorkload.OVERALL, s.amount())))
                .groupByKey(Grouped.with(Serdes.String(), Serdes.Long()))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(size), Duration.ofMillis(grace)))
                .aggregate(() -> new Total(0, 0), (item, amount, total) -> new Total(total.amount() + amount, total.count() + 1),
                        Materialized.with(Serdes.String(), totalSerde()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                .toStream()
                .map((w, t) -> {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("window_start", w.window().start());
                    result.put("window_end", w.window().end());
                    result.put("item", w.key());
                    result.put("total_amount", t.amount());
                    result.put("count", t.count());
                    return KeyValue.pair(w.key() + "@" + w.window().start(), unchecked(() -> JSON.writeValueAsBytes(result)));
                })
                .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
        return builder.build();
    }

    /**
     * Kafka Streams closes a window only when a later record moves stream time past its end plus the grace; a quiet
     * stream's last windows stay open for good. So once the peer has committed the whole input (exactly-once: its
     * repartitioned records are committed with it, so nothing sent now can overtake a sale), one sale per item goes
     * to every input partition, far enough ahead to close every window. Their own windows are not checked.
     */
    private void endMarkers(Run run) throws Exception {
        List<TopicPartition> parts = new ArrayList<>();
        for (int p = 0; p < run.partitions(); p++) {
            parts.add(new TopicPartition(run.input(), p));
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", run.brokers()))) {
            Map<TopicPartition, Long> end = new LinkedHashMap<>();
            admin.listOffsets(parts.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                    .all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(run.id())
                        .partitionsToOffsetAndMetadata().get();
                return parts.stream().allMatch(tp -> committed.get(tp) != null && committed.get(tp).offset() >= end.get(tp));
            });
        }
        long time = run.workload().endOfData() + closeLag(run) + run.size();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, run.brokers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int p = 0; p < run.partitions(); p++) {
                for (String item : SalesWorkload.ITEMS) {
                    producer.send(new ProducerRecord<>(run.input(), p, null, SalesWorkload.json(item, 1, time)));
                }
            }
        }
    }

    private static Serde<Total> totalSerde() {
        return Serdes.serdeFrom((topic, t) -> t == null ? null : ByteBuffer.allocate(16).putLong(t.amount()).putLong(t.count()).array(),
                (topic, data) -> {
                    if (data == null) {
                        return null;
                    }
                    ByteBuffer b = ByteBuffer.wrap(data);
                    return new Total(b.getLong(), b.getLong());
                });
    }

    interface Call<T> {
        T get() throws Exception;
    }

    private static <T> T unchecked(Call<T> call) {
        try {
            return call.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
