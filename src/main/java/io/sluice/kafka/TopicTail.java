package io.sluice.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.Service;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The newest records of topics, or one record at its coordinates, for the console's pages: one consumer without a
 * group (it commits nothing and moves no flow's offsets), assigned the partitions of each call and then none,
 * {@code read_committed} so that a window's result of an aborted transaction is never shown. Calls take turns (a
 * consumer is single-threaded); a console asks a few times a second at most. Closed when Camel stops.
 */
public final class TopicTail implements Service {

    /** A record as read: its coordinates, time, and raw key and value. */
    public record Rec(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
    }

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final String brokers;
    private KafkaConsumer<byte[], byte[]> consumer;

    public TopicTail(String brokers) {
        this.brokers = brokers;
    }

    /** Up to {@code perPartition} newest records of each partition of {@code topic}, newest first; none if it does not exist. */
    public List<Rec> newest(String topic, int perPartition) {
        return newest(List.of(topic), perPartition);
    }

    /** The same for several topics at once (one pass over all their partitions), newest first. */
    public synchronized List<Rec> newest(Collection<String> topics, int perPartition) {
        KafkaConsumer<byte[], byte[]> consumer = consumer();
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, WAIT);
            if (infos != null) {
                infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
        }
        if (partitions.isEmpty()) {
            return List.of();
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, WAIT);
        Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, WAIT);
        Map<TopicPartition, Long> remaining = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long end = ends.get(tp);
            long start = Math.max(begins.get(tp), end - perPartition);
            consumer.seek(tp, start);
            if (end > start) {
                remaining.put(tp, end);
            }
        }
        List<Rec> out = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!remaining.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.offset() < remaining.getOrDefault(new TopicPartition(r.topic(), r.partition()), Long.MAX_VALUE)) {
                    out.add(rec(r));
                }
            }
            remaining.keySet().removeIf(tp -> consumer.position(tp, WAIT) >= remaining.get(tp));
        }
        consumer.assign(List.of());
        out.sort(Comparator.comparingLong(Rec::timestamp).thenComparingLong(Rec::offset).reversed());
        return out;
    }

    /** The record at {@code topic}-{@code partition}@{@code offset}, if it is there (not deleted, not a marker). */
    public synchronized Optional<Rec> at(String topic, int partition, long offset) {
        KafkaConsumer<byte[], byte[]> consumer = consumer();
        TopicPartition tp = new TopicPartition(topic, partition);
        List<PartitionInfo> infos = consumer.partitionsFor(topic, WAIT);
        if (infos == null || infos.stream().noneMatch(p -> p.partition() == partition)) {
            return Optional.empty();
        }
        consumer.assign(List.of(tp));
        try {
            long end = consumer.endOffsets(List.of(tp), WAIT).get(tp);
            if (offset < 0 || offset >= end) {
                return Optional.empty();
            }
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline && consumer.position(tp, WAIT) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.offset() == offset) {
                        return Optional.of(rec(r));
                    }
                    if (r.offset() > offset) {
                        return Optional.empty();
                    }
                }
            }
            return Optional.empty();
        } finally {
            consumer.assign(List.of());
        }
    }

    @Override
    public void start() {
    }

    @Override
    public synchronized void stop() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(2));
            consumer = null;
        }
    }

    private static Rec rec(ConsumerRecord<byte[], byte[]> r) {
        return new Rec(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value());
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            consumer = create();
        }
        return consumer;
    }

    private KafkaConsumer<byte[], byte[]> create() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
