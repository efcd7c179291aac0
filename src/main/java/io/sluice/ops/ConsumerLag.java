package io.sluice.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.kafka.KafkaAdmin;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer lag of every Kafka route (and window, {@link ConsumedTopic}): for each route's consumer group and topic, the records on the topic that
 * the group has not committed yet (a group that never committed lags by the whole topic). Published as
 * {@code sluice_consumer_lag{group,topic}} and shown in the progress lines; read from Kafka at each
 * {@link #refresh()} (the progress timer), so it is as fresh as {@code sluice.progress.interval-ms}.
 */
public final class ConsumerLag {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLag.class);
    private final CamelContext context;
    private final KafkaAdmin kafka;
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    private volatile Map<String, Lag> byFlow = Map.of();

    public ConsumerLag(CamelContext context, KafkaAdmin kafka) {
        this.context = context;
        this.kafka = kafka;
    }

    /** Reads the lag of every Kafka consumer route now; keeps the last values when Kafka cannot be asked. */
    public synchronized void refresh() {
        Map<String, String[]> consumers = new LinkedHashMap<>(); // route id -> {group, topic}
        for (Route route : context.getRoutes()) {
            if (route.getEndpoint() instanceof KafkaEndpoint kafka && kafka.getConfiguration().getGroupId() != null) {
                consumers.put(route.getRouteId(), new String[] {kafka.getConfiguration().getGroupId(), kafka.getConfiguration().getTopic()});
            }
            route.getRoutePolicyList().stream().filter(ConsumedTopic.class::isInstance).map(ConsumedTopic.class::cast).findFirst()
                    .ifPresent(c -> consumers.put(route.getRouteId(), new String[] {c.consumerGroup(), c.consumedTopic()}));
        }
        if (consumers.isEmpty()) {
            return;
        }
        Map<String, Lag> flows = new LinkedHashMap<>(byFlow);
        for (Map.Entry<String, String[]> e : consumers.entrySet()) {
            String group = e.getValue()[0];
            String topic = e.getValue()[1];
            try {
                long lag = lag(group, topic);
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

    private long lag(String group, String topic) throws Exception {
        Map<TopicPartition, Long> committed = kafka.committed(group);
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> end : kafka.endOffsets(topic).entrySet()) {
            lag += Math.max(0, end.getValue() - committed.getOrDefault(end.getKey(), 0L));
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
}
