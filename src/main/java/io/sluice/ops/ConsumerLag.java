package io.sluice.ops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.Service;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer lag of every Kafka route: for each route's consumer group and topic, the records on the topic that
 * the group has not committed yet (a group that never committed lags by the whole topic). Published as
 * {@code sluice_consumer_lag{group,topic}} and shown in the progress lines; read from Kafka at each
 * {@link #refresh()} (the progress timer), so it is as fresh as {@code sluice.progress.interval-ms}.
 */
public final class ConsumerLag implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLag.class);
    private final CamelContext context;
    private final String brokers;
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    private volatile Map<String, Lag> byFlow = Map.of();
    private Admin admin;

    public ConsumerLag(CamelContext context, String brokers) {
        this.context = context;
        this.brokers = brokers;
    }

    /** Reads the lag of every Kafka consumer route now; keeps the last values when Kafka cannot be asked. */
    public synchronized void refresh() {
        Map<String, KafkaEndpoint> consumers = new LinkedHashMap<>();
        for (Route route : context.getRoutes()) {
            if (route.getEndpoint() instanceof KafkaEndpoint kafka && kafka.getConfiguration().getGroupId() != null) {
                consumers.put(route.getRouteId(), kafka);
            }
        }
        if (consumers.isEmpty()) {
            return;
        }
        Admin a = admin();
        Map<String, Lag> flows = new LinkedHashMap<>(byFlow);
        for (Map.Entry<String, KafkaEndpoint> e : consumers.entrySet()) {
            String group = e.getValue().getConfiguration().getGroupId();
            String topic = e.getValue().getConfiguration().getTopic();
            try {
                long lag = lag(a, group, topic);
                gauge(group, topic).set(lag);
                flows.put(e.getKey(), new Lag(topic, lag));
            } catch (Exception ex) {
                if (ex instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
                // a topic not created yet, or Kafka away: keep what was known
                LOG.debug("Consumer lag of {} on {} not read: {}", group, topic, ex.toString());
            }
        }
        byFlow = flows;
    }

    /** A Kafka route's input topic and the records on it its group has not committed. */
    public record Lag(String topic, long records) {
    }

    /** Each Kafka route's lag, by route id, as of the last {@link #refresh()}. */
    public Map<String, Lag> byFlow() {
        return byFlow;
    }

    private static long lag(Admin a, String group, String topic) throws Exception {
        List<TopicPartition> partitions = a.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS)
                .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, OffsetAndMetadata> committed = a.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        long lag = 0;
        for (var end : a.listOffsets(latest).all().get(5, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += Math.max(0, end.getValue().offset() - (done == null ? 0 : done.offset()));
        }
        return lag;
    }

    private AtomicLong gauge(String group, String topic) {
        return gauges.computeIfAbsent(group + "\u0000" + topic, k -> {
            AtomicLong value = new AtomicLong();
            MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            if (registry != null) {
                Gauge.builder("sluice.consumer.lag", value, AtomicLong::get)
                        .description("records on the topic not yet committed by the consumer group")
                        .tag("group", group).tag("topic", topic).register(registry);
            }
            return value;
        });
    }

    private Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000));
        }
        return admin;
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
