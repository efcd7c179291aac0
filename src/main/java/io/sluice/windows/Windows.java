package io.sluice.windows;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.kafka.KafkaAdmin;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every window aggregator of this instance, and the steps of the {@code window-closer} route: close what is due
 * ({@link #closeDue}), hand the outbox's oldest records to Kafka ({@link #pending}) and forget them once
 * acknowledged ({@link #published}). A crash between the last two publishes those records again on restart —
 * with the same key and value, so a consumer that upserts by key (like the sales_summary sink) is unaffected.
 */
public final class Windows {

    private static final Logger LOG = LoggerFactory.getLogger(Windows.class);
    static final String PUBLISHING = "sluiceWindowOutbox";
    private final Map<String, WindowAggregator> aggregators = new ConcurrentHashMap<>();
    private final WindowStore store;
    private final ObjectMapper json;
    private final FlowMetrics metrics;
    private final DeadLetters deadLetters;
    private final KafkaAdmin kafka;
    /**
     * Whether the last outbox slice is known to be settled: false at start (a crash may have left a slice sent but
     * not deleted) and while a slice is being sent (a failed send may have reached Kafka in part).
     */
    private volatile boolean recovered;

    public Windows(Supplier<DataSource> dataSource, ObjectMapper json, FlowMetrics metrics, DeadLetters deadLetters, KafkaAdmin kafka) {
        this.store = new WindowStore(dataSource, json);
        this.json = json;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.kafka = kafka;
    }

    void register(WindowAggregator aggregator) {
        aggregators.put(aggregator.getName(), aggregator);
    }

    /** Route step (timer): closes every window that is due, in every aggregator. */
    public void closeDue() throws SQLException {
        long now = System.currentTimeMillis();
        for (WindowAggregator a : aggregators.values()) {
            a.closeDue(now);
        }
    }

    /** Route step: the body becomes the outbox's oldest records as Kafka messages (empty list if none). */
    public void pending(Exchange exchange, int limit) throws SQLException {
        List<WindowStore.Pending> rows = store.pending(limit);
        if (!recovered && !rows.isEmpty()) {
            rows = withoutPublished(rows, limit);
        }
        recovered = false; // until Kafka acknowledged these: a failed send is checked the same way next time
        List<Message> records = new ArrayList<>(rows.size());
        for (WindowStore.Pending p : rows) {
            Message m = new DefaultMessage(exchange.getContext());
            m.setHeader(KafkaConstants.OVERRIDE_TOPIC, p.topic());
            if (p.key() != null) {
                m.setHeader(KafkaConstants.KEY, p.key());
            }
            m.setBody(p.payload());
            records.add(m);
        }
        exchange.setProperty(PUBLISHING, rows);
        exchange.getMessage().setBody(records);
    }

    /** Route step after Kafka acknowledged the {@link #pending} records. */
    public void published(Exchange exchange) throws SQLException {
        @SuppressWarnings("unchecked")
        List<WindowStore.Pending> rows = exchange.getProperty(PUBLISHING, List.class);
        if (rows == null || rows.isEmpty()) {
            return;
        }
        store.published(rows.stream().map(WindowStore.Pending::id).toList());
        recovered = true;
        rows.stream().collect(Collectors.groupingBy(WindowStore.Pending::topic, Collectors.counting()))
                .forEach((topic, n) -> metrics.out(exchange.getFromRouteId(), topic, n));
    }

    /**
     * The first publication after a start: a previous process may have died after Kafka acknowledged a slice of the
     * outbox and before deleting it. Those records are at the end of their topics, so the last {@code limit}
     * records of each partition are read, and outbox records found there (same topic, key and value) are deleted
     * instead of being sent a second time.
     */
    private List<WindowStore.Pending> withoutPublished(List<WindowStore.Pending> rows, int limit) throws SQLException {
        Set<String> tail = new HashSet<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.brokers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : rows.stream().map(WindowStore.Pending::topic).distinct().toList()) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                        .map(i -> new TopicPartition(topic, i.partition())).toList();
                consumer.assign(partitions);
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(5));
                partitions.forEach(tp -> consumer.seek(tp, Math.max(0, ends.get(tp) - limit)));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not read the end of " + topic + " to avoid publishing twice");
                    }
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> tail.add(identity(topic, r.key(), r.value())));
                }
            }
        }
        List<WindowStore.Pending> unsent = new ArrayList<>();
        List<Long> sent = new ArrayList<>();
        for (WindowStore.Pending row : rows) {
            if (tail.contains(identity(row.topic(), row.key(), row.payload()))) {
                sent.add(row.id());
            } else {
                unsent.add(row);
            }
        }
        if (!sent.isEmpty()) {
            store.published(sent);
            LOG.info("{} window records were published before the last stop but not yet marked: not sent again", sent.size());
        }
        return unsent;
    }

    private static String identity(String topic, String key, byte[] value) {
        return topic + '\u0000' + key + '\u0000' + new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The end offset of every partition of {@code topic}, per {@code topic:partition}; null if Kafka cannot tell. */
    Map<String, Long> endOffsets(String topic) {
        try {
            Map<String, Long> ends = new HashMap<>();
            kafka.endOffsets(topic).forEach((tp, end) -> ends.put(topic + ":" + tp.partition(), end));
            return ends;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return null;
        }
    }

    WindowStore store() {
        return store;
    }

    ObjectMapper json() {
        return json;
    }

    FlowMetrics metrics() {
        return metrics;
    }

    WindowStore.Letters letters(String flow) {
        return r -> {
            try {
                return deadLetters.letter(flow, r.reason(), r.input().topic(), r.input().partition(), r.input().offset(), r.input().value());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
