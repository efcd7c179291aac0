package io.sluice.windows;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.kafka.KafkaAdmin;
import io.sluice.kafka.TopicSpec;
import io.sluice.ops.FlowMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every window of this instance shares: JSON, metrics, dead letters, the Kafka admin client, and the end
 * offsets of the windows' input topics — asked of Kafka every {@value #REFRESH_MS} ms on a thread of its own, so a
 * broker that does not answer never stalls a stream thread. An end offset older than {@value #STALE_MS} ms counts as
 * unknown: Kafka unreachable is not a quiet stream.
 */
public final class Windows implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Windows.class);
    static final long REFRESH_MS = 250;
    static final long STALE_MS = 3_000;

    private record Ends(Map<Integer, Long> ends, long at) {
    }

    private final ObjectMapper json;
    private final FlowMetrics metrics;
    private final DeadLetters deadLetters;
    private final KafkaAdmin kafka;
    private final Map<String, WindowAggregator> aggregators = new ConcurrentHashMap<>();
    private final Map<String, Ends> ends = new ConcurrentHashMap<>();
    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService refresher;
    private java.util.concurrent.ExecutorService starter;

    public Windows(ObjectMapper json, FlowMetrics metrics, DeadLetters deadLetters, KafkaAdmin kafka) {
        this.json = json;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.kafka = kafka;
    }

    void register(WindowAggregator aggregator) {
        aggregators.put(aggregator.getName(), aggregator);
    }

    /** The windows of this instance, by name (for health and tests). */
    public Map<String, WindowAggregator> aggregators() {
        return aggregators;
    }

    /** The thread windows start their Kafka Streams applications on, one after another. */
    synchronized java.util.concurrent.ExecutorService starter() {
        if (starter == null) {
            starter = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "sluice-window-start");
                t.setDaemon(true);
                return t;
            });
        }
        return starter;
    }

    /** Starts following {@code topic}'s end offsets. */
    synchronized void watch(String topic) {
        watched.add(topic);
        if (refresher == null) {
            refresher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sluice-window-ends");
                t.setDaemon(true);
                return t;
            });
            refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void refresh() {
        for (String topic : watched) {
            try {
                Map<Integer, Long> e = new HashMap<>();
                kafka.endOffsets(topic).forEach((tp, end) -> e.put(tp.partition(), end));
                ends(topic, e);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
                LOG.debug("end offsets of {}: {}", topic, e.toString());
            }
        }
    }

    /** What Kafka says {@code topic}'s end offsets are now. */
    void ends(String topic, Map<Integer, Long> endOffsets) {
        ends.put(topic, new Ends(endOffsets, System.currentTimeMillis()));
    }

    /** The end offset of every partition of {@code topic}; null if Kafka has not told recently. */
    Map<Integer, Long> endOffsets(String topic) {
        Ends e = ends.get(topic);
        return e == null || System.currentTimeMillis() - e.at > STALE_MS ? null : e.ends;
    }

    /**
     * Creates the window's repartition topic before Kafka Streams would, with as many partitions as the input, the
     * window's replicas and the settings Kafka Streams gives it, through the start-up topic creation
     * ({@link KafkaAdmin#ensureTopics}, which also waits for its leaders): created by Kafka Streams itself while its
     * consumer already subscribes, the topic is unknown to that consumer for a moment and every start logs a handful
     * of metadata warnings. If it cannot be made here, Kafka Streams makes it; nothing is lost.
     */
    void ensureRepartitionTopic(String topic, String input, int replicationFactor) {
        int partitions;
        try {
            partitions = kafka.endOffsets(input).size();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("could not create {} ahead of Kafka Streams: {}", topic, e.toString());
            return;
        }
        kafka.ensureTopics(List.of(new TopicSpec(topic, TopicSpec.Kind.INTERNAL, partitions, (short) replicationFactor,
                Map.of("cleanup.policy", "delete", "retention.ms", "-1", "segment.bytes", "52428800"))), true, Duration.ofSeconds(10));
    }

    ObjectMapper json() {
        return json;
    }

    FlowMetrics metrics() {
        return metrics;
    }

    DeadLetters deadLetters() {
        return deadLetters;
    }

    String brokers() {
        return kafka.brokers();
    }

    @Override
    public synchronized void close() {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher = null;
        }
        if (starter != null) {
            starter.shutdownNow();
            starter = null;
        }
    }
}
