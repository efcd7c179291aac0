package io.sluice.ops;

import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/**
 * Per-flow record counters on /observe/metrics: {@code sluice_records_in_total{topic}} (read from a flow's input
 * topic), {@code sluice_records_out_total{topic}} (written to an output topic) and
 * {@code sluice_dead_letters_total{topic}} (records of that input topic refused). The Prometheus registry
 * comes from camel-observability-services and is looked up when first needed.
 */
public final class FlowMetrics {

    static final String BEAN = "flowMetrics";
    private final CamelContext context;
    private volatile MeterRegistry registry;
    private final java.util.Map<String, Double> lastIn = new java.util.HashMap<>();
    private long lastProgressAt;
    private volatile ConsumerLag lag;

    private FlowMetrics(CamelContext context) {
        this.context = context;
    }

    /** The one instance of this context, bound on first use. */
    public static synchronized FlowMetrics of(CamelContext context) {
        FlowMetrics existing = context.getRegistry().lookupByNameAndType(BEAN, FlowMetrics.class);
        if (existing != null) {
            return existing;
        }
        FlowMetrics created = new FlowMetrics(context);
        context.getRegistry().bind(BEAN, created);
        return created;
    }

    /** Where the progress lines get each topic's consumer lag from. */
    public void useLag(ConsumerLag consumerLag) {
        this.lag = consumerLag;
    }

    public void in(Object topic) {
        in(topic, 1);
    }

    public void in(Object topic, double records) {
        add("sluice.records.in", "records read from a flow's input topic", "topic", topic, records);
    }

    public void out(Object topic) {
        out(topic, 1);
    }

    public void out(Object topic, double records) {
        add("sluice.records.out", "records written to an output topic", "topic", topic, records);
    }

    /** Results of closed windows, by window (sluice_window_closes_total): one per window and key. */
    public void windowsClosed(String window, double results) {
        add("sluice.window.closes", "window results emitted (one per closed window and key), by window", "window", window, results);
    }

    /** Events that arrived after their window closed, by window (sluice_late_events_total); sent to the late topic. */
    public void late(String window, double events) {
        add("sluice.late.events", "events whose window had closed, sent to the window's late topic", "window", window, events);
    }

    public void deadLettered(Object sourceTopic) {
        add("sluice.dead.letters", "records refused and dead-lettered, by the topic they came from", "topic", sourceTopic, 1);
    }

    /** Documents Elasticsearch acknowledged, by index (sluice_documents_indexed_total). */
    public void indexed(String index, int documents) {
        add("sluice.documents.indexed", "documents Elasticsearch acknowledged, by index", "index", index, documents);
    }

    /** One retried call to an external sink ({@code target}: elasticsearch, slack), for sluice_sink_retries_total. */
    public void retried(String target) {
        add("sluice.sink.retries", "calls to an external sink that failed and are retried", "target", target, 1);
    }

    private void add(String name, String description, String tag, Object value, double amount) {
        MeterRegistry r = registry();
        if (r != null) {
            Counter.builder(name).description(description).tag(tag, String.valueOf(value)).register(r).increment(amount);
        }
    }

    /**
     * One line per input topic that moved since the last call, or that its consumers have not caught up with:
     * records read per second, read so far, dead-lettered, and the consumer lag (the largest among the groups
     * reading it). Null when nothing moved and nothing lags, so an idle Sluice logs nothing.
     */
    public synchronized String progress() {
        MeterRegistry r = registry();
        long now = System.nanoTime();
        if (r == null) {
            return null;
        }
        ConsumerLag consumerLag = lag;
        Map<String, Long> lags = Map.of();
        if (consumerLag != null) {
            consumerLag.refresh();
            lags = consumerLag.byTopic();
        }
        double seconds = lastProgressAt == 0 ? 0 : (now - lastProgressAt) / 1e9;
        lastProgressAt = now;
        StringBuilder lines = new StringBuilder();
        for (Counter c : r.find("sluice.records.in").counters()) {
            String topic = c.getId().getTag("topic");
            double total = c.count();
            double before = lastIn.getOrDefault(topic, 0.0);
            lastIn.put(topic, total);
            long behind = lags.getOrDefault(topic, 0L);
            if ((total > before || behind > 0) && seconds > 0) {
                Counter dead = r.find("sluice.dead.letters").tag("topic", topic).counter();
                lines.append(String.format("%n  %-32s %8.1f records/s in, %,.0f read, %,.0f dead-lettered, lag %,d",
                        topic, (total - before) / seconds, total, dead == null ? 0.0 : dead.count(), behind));
            }
        }
        return lines.isEmpty() ? null : "Progress:" + lines;
    }

    private MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            r = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            registry = r;
        }
        return r;
    }
}
