package io.sluice.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The five output topics of one run: created up front, counted, and the time between their first and last record.
 * One consumer for all of it, opened once: the runner shares two cores with the contender and must stay light.
 */
final class OutputTopics implements AutoCloseable {

    final Map<RatingRules.Output, String> names = new EnumMap<>(RatingRules.Output.class);
    private final String brokers;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, List<TopicPartition>> partitions = new java.util.HashMap<>();

    OutputTopics(String brokers, String runId, int partitions) throws Exception {
        this.brokers = brokers;
        for (RatingRules.Output o : RatingRules.Output.values()) {
            names.put(o, runId + "-" + o.name().toLowerCase());
        }
        {
            BenchTopics.create(brokers, names.values().stream().map(n -> new NewTopic(n, partitions, (short) 1)
                    // the broker stamps each record as it is appended: the same clock for all three contenders
                    // (Kafka Streams would otherwise copy the input records' timestamps to its outputs)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime"))).toList());
        }
        consumer = consumer();
        for (String topic : names.values()) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                parts.add(new TopicPartition(topic, p));
            }
            this.partitions.put(topic, parts);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }

    Map<RatingRules.Output, Long> counts() {
        Map<RatingRules.Output, Long> counts = new EnumMap<>(RatingRules.Output.class);
        for (Map.Entry<RatingRules.Output, String> e : names.entrySet()) {
            counts.put(e.getKey(), consumer.endOffsets(partitions.get(e.getValue())).values().stream().mapToLong(Long::longValue).sum());
        }
        return counts;
    }

    /**
     * Like {@link #counts} but a record that repeats an earlier one of its topic (same key and value) counts once:
     * at-least-once delivery may write a batch again when the consumer group rebalances (Sluice with two consumer
     * threads joining one after the other), and every reader of these topics dedupes on the key. Reads every record.
     */
    Map<RatingRules.Output, Long> distinctCounts() {
        Map<RatingRules.Output, Long> counts = new EnumMap<>(RatingRules.Output.class);
        for (Map.Entry<RatingRules.Output, String> e : names.entrySet()) {
            List<TopicPartition> parts = partitions.get(e.getValue());
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            Set<ByteBuffer> seen = new HashSet<>();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    byte[] key = r.key() == null ? new byte[0] : r.key();
                    byte[] value = r.value() == null ? new byte[0] : r.value();
                    seen.add(ByteBuffer.allocate(4 + key.length + value.length).putInt(key.length).put(key).put(value).flip());
                }
            }
            counts.put(e.getKey(), (long) seen.size());
        }
        consumer.unsubscribe();
        return counts;
    }

    static long total(Map<RatingRules.Output, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Milliseconds from the earliest to the latest record appended to any of the outputs (broker time). */
    long spanMillis() {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (List<TopicPartition> parts : partitions.values()) {
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            for (TopicPartition p : parts) {
                if (end.get(p) <= begin.get(p)) {
                    continue;
                }
                first = Math.min(first, timestampAt(consumer, p, begin.get(p)));
                last = Math.max(last, timestampAt(consumer, p, end.get(p) - 1));
            }
        }
        return last - first;
    }

    private static long timestampAt(KafkaConsumer<byte[], byte[]> c, TopicPartition p, long offset) {
        c.assign(List.of(p));
        c.seek(p, offset);
        for (int i = 0; i < 50; i++) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                return r.timestamp();
            }
        }
        throw new IllegalStateException("no record at " + p + "@" + offset);
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
