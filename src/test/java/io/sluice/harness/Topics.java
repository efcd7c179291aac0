package io.sluice.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import io.sluice.devstack.DevStack;
import io.sluice.kafka.KafkaTopics;
import io.sluice.kafka.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import static org.awaitility.Awaitility.await;

/** Producing to and reading from the harness's Kafka in tests. */
public final class Topics implements AutoCloseable {

    private final String brokers;
    private final KafkaProducer<String, byte[]> producer;
    private final java.util.Set<String> ready = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public Topics(DevStack stack) {
        this(stack.config().kafkaBootstrap());
    }

    /** On any broker, e.g. the one a Sluice with a stack of its own started. */
    public Topics(String brokers) {
        this.brokers = brokers;
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer());
    }

    public void send(String topic, String key, byte[] value) {
        send(new ProducerRecord<>(topic, key, value));
    }

    /** Waits for the acknowledgement. */
    private void send(ProducerRecord<String, byte[]> record) {
        awaitLeaders(record.topic());
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** With Kafka record headers (name, value, name, value, ...). */
    public void sendWithHeaders(String topic, String key, String value, String... headers) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            record.headers().add(headers[i], headers[i + 1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        send(record);
    }

    /** Without waiting for the acknowledgement; {@link #flush()} waits for all of them. */
    public void sendAsync(String topic, String key, String value) {
        awaitLeaders(topic);
        producer.send(new ProducerRecord<>(topic, key, value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Before the first record to a topic: creates it if nobody has (the broker, like many production clusters, never
     * creates a topic on first use; a test producing before Sluice starts stands in for the upstream producer whose
     * topic exists in production), then waits until every partition has a leader. A topic just created otherwise
     * answers NOT_LEADER_OR_FOLLOWER, after which the idempotent producer can loop on OUT_OF_ORDER_SEQUENCE_NUMBER and
     * never deliver (seen in SalesWindowsTest).
     */
    private void awaitLeaders(String topic) {
        if (ready.contains(topic)) {
            return;
        }
        ensure(topic);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            var partitions = producer.partitionsFor(topic);
            return !partitions.isEmpty() && partitions.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        });
        ready.add(topic);
    }

    /** Creates the topics that do not exist yet, with the broker's defaults, as Sluice would (KafkaTopics). */
    public void ensure(String... topics) {
        try (Admin admin = Admin.create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            var outcome = KafkaTopics.ensure(admin, java.util.Arrays.stream(topics).map(TopicSpec::of).toList(), true,
                    Duration.ofSeconds(30));
            if (!outcome.failed().isEmpty()) {
                throw new IllegalStateException("Could not create " + outcome.failed());
            }
        }
    }

    public void flush() {
        producer.flush();
    }

    public void send(String topic, String key, String value) {
        send(topic, key, value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Reads the topic from the beginning until {@code done} holds for what was read (or the time is up). */
    public List<ConsumerRecord<String, String>> readUntil(String topic, Duration atMost,
                                                          Predicate<List<ConsumerRecord<String, String>>> done) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // window results are written in Kafka transactions: never count a result of an aborted one
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(atMost).pollInterval(Duration.ofMillis(10)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return done.test(records);
            });
        }
        return records;
    }

    /** Everything on the topic now: reads until the end offsets seen at the call. */
    public List<ConsumerRecord<String, String>> readAll(String topic) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // window results are written in Kafka transactions: never count a result of an aborted one
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty()) {
                return List.of(); // never written to
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
            return records;
        }
    }

    /** Whether {@code topic} exists now. */
    public boolean exists(String topic) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            return admin.listTopics().names().get().contains(topic);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates {@code topic} with this many partitions (instead of the broker's default). */
    public void create(String topic, int partitions) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the consumer group has committed every record now on the topic (all its partitions). */
    public boolean committedToEnd(String group, String topic) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
            partitions.forEach(p -> latest.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                    org.apache.kafka.clients.admin.OffsetSpec.latest()));
            var end = admin.listOffsets(latest).all().get();
            return end.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                    || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
