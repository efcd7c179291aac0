package io.sluice.windows;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import io.sluice.ops.FlowMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Service;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Every window aggregator of this instance, and the steps of the {@code window-closer} route: close what is due
 * ({@link #closeDue}), hand the outbox's oldest records to Kafka ({@link #pending}) and forget them once
 * acknowledged ({@link #published}). A crash between the last two publishes those records again on restart —
 * with the same key and value, so a consumer that upserts by key (like the sales_summary sink) is unaffected.
 */
public final class Windows implements Service {

    static final String PUBLISHING = "sluiceWindowOutbox";
    private final Map<String, WindowAggregator> aggregators = new ConcurrentHashMap<>();
    private final WindowStore store;
    private final ObjectMapper json;
    private final FlowMetrics metrics;
    private final DeadLetters deadLetters;
    private final String brokers;
    private Admin admin;

    public Windows(Supplier<DataSource> dataSource, ObjectMapper json, FlowMetrics metrics, DeadLetters deadLetters, String brokers) {
        this.store = new WindowStore(dataSource, json);
        this.json = json;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.brokers = brokers;
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
        rows.stream().collect(Collectors.groupingBy(WindowStore.Pending::topic, Collectors.counting()))
                .forEach((topic, n) -> metrics.out(topic, n));
    }

    /** The end offset of every partition of {@code topic}, per {@code topic:partition}; null if Kafka cannot tell. */
    Map<String, Long> endOffsets(String topic) {
        try {
            Admin a = admin();
            List<TopicPartition> all = a.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = all.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
            Map<String, Long> ends = new HashMap<>();
            a.listOffsets(latest).all().get(5, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(topic + ":" + tp.partition(), info.offset()));
            return ends;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return null;
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
            admin = Admin.create(p);
        }
        return admin;
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

    WindowStore.Letters letters() {
        return r -> {
            try {
                return deadLetters.letter(r.reason(), r.input().topic(), r.input().partition(), r.input().offset(), r.input().value());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Override
    public void start() {
    }

    @Override
    public synchronized void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
