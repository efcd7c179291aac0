package io.sluice.faults;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.kafka.KafkaTopics;
import io.sluice.kafka.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import static org.awaitility.Awaitility.await;

/**
 * Plays the workload at a steady rate, whatever happens to Sluice or the services, the way the applications
 * around it would: Kafka records through an idempotent producer that keeps retrying (a broker outage delays them,
 * never drops them; any record that still fails is reported), customer updates over JDBC, retried until the
 * database takes them.
 */
final class WorkloadDriver implements AutoCloseable {

    private final List<MixedWorkload.Event> events;
    private final int perSecond;
    private final Db db;
    private final KafkaProducer<String, byte[]> producer;
    private final AtomicInteger sent = new AtomicInteger();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile long finishedAt;
    private Thread thread;

    WorkloadDriver(DevStack stack, MixedWorkload workload, int perSecond) {
        this.events = workload.events;
        this.perSecond = perSecond;
        this.db = new Db(stack);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.config().kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // a broker outage of a minute or more must delay records, not fail them
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(10).toMillis(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Duration.ofMinutes(10).toMillis(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576),
                new StringSerializer(), new ByteArraySerializer());
        // the inputs exist (the broker creates no topic on first use; Sluice may not have started yet) and have leaders
        // before the first record (a record to a topic being created can loop the idempotent producer on
        // OUT_OF_ORDER_SEQUENCE_NUMBER)
        List<String> topics = events.stream().filter(e -> e instanceof MixedWorkload.Record)
                .map(e -> ((MixedWorkload.Record) e).topic()).distinct().toList();
        try (Admin admin = Admin.create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.config().kafkaBootstrap()))) {
            KafkaTopics.ensure(admin, topics.stream().map(TopicSpec::of).toList(), true, Duration.ofSeconds(30));
        }
        topics.forEach(topic -> await().atMost(Duration.ofSeconds(30)).until(() -> {
                    var partitions = producer.partitionsFor(topic);
                    return !partitions.isEmpty() && partitions.stream().allMatch(p -> p.leader() != null);
                }));
    }

    WorkloadDriver start() {
        thread = Thread.ofPlatform().name("workload").start(this::play);
        return this;
    }

    private void play() {
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long next = System.nanoTime();
        for (MixedWorkload.Event event : events) {
            LockSupport.parkNanos(next - System.nanoTime());
            next += interval;
            switch (event) {
                case MixedWorkload.Record r -> producer.send(new ProducerRecord<>(r.topic(), r.key(), r.value()), (meta, e) -> {
                    if (e != null) {
                        failures.add(r.topic() + "/" + r.key() + ": " + e);
                    }
                });
                case MixedWorkload.CustomerUpdate u -> update(u);
            }
            sent.incrementAndGet();
        }
        producer.flush();
        finishedAt = System.nanoTime();
    }

    /** An application writing to its database: retried until the database is back. */
    private void update(MixedWorkload.CustomerUpdate u) {
        await().atMost(Duration.ofMinutes(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(SQLException.class)
                .until(() -> db.update("UPDATE customers SET comments = ? WHERE id = ?", u.comments(), u.customerId()) == 1);
    }

    int sent() {
        return sent.get();
    }

    int total() {
        return events.size();
    }

    boolean finished() {
        return finishedAt != 0;
    }

    /** When the last event was sent and acknowledged (System.nanoTime), 0 while running. */
    long finishedAt() {
        return finishedAt;
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    void join() throws InterruptedException {
        thread.join();
    }

    @Override
    public void close() throws InterruptedException {
        if (thread != null) {
            thread.interrupt();
            thread.join(10_000);
        }
        producer.close(Duration.ofSeconds(10));
    }
}
