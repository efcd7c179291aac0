package io.sluice.ops;

import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/**
 * Per-flow record counters on /observe/metrics, tagged with the flow (the route a record entered) and the topic:
 * {@code sluice_records_in_total{flow,topic}} (read from the flow's input topic),
 * {@code sluice_records_out_total{flow,topic}} (written to an output topic) and
 * {@code sluice_dead_letters_total{flow,topic}} (records of that input topic refused). The Prometheus registry
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

    /** The consumer lag the progress lines use (null until the Kafka steps are configured), for the console too. */
    public ConsumerLag consumerLag() {
        return lag;
    }

    /** One record of {@code topic} read by {@code flow} (the route it entered), for sluice_records_in_total{flow,topic}. */
    public void in(String flow, Object topic) {
        in(flow, topic, 1);
    }

    public void in(String flow, Object topic, double records) {
        add("sluice.records.in", "records a flow read from its input topic", flow, "topic", topic, records);
    }

    public void out(String flow, Object topic) {
        out(flow, topic, 1);
    }

    public void out(String flow, Object topic, double records) {
        add("sluice.records.out", "records a flow wrote to an output topic", flow, "topic", topic, records);
    }

    public void deadLettered(String flow, Object sourceTopic) {
        add("sluice.dead.letters", "records a flow refused and dead-lettered, by the topic they came from", flow, "topic", sourceTopic, 1);
    }

    /** Results of closed windows, by window (sluice_window_closes_total): one per window and key. */
    public void windowsClosed(String window, double results) {
        add("sluice.window.closes", "window results emitted (one per closed window and key), by window", null, "window", window, results);
    }

    /** Events that arrived after their window closed, by window (sluice_late_events_total); sent to the late topic. */
    public void late(String window, double events) {
        add("sluice.late.events", "events whose window had closed, sent to the window's late topic", null, "window", window, events);
    }

    /** Documents Elasticsearch acknowledged, by index (sluice_documents_indexed_total). */
    public void indexed(String index, int documents) {
        add("sluice.documents.indexed", "documents Elasticsearch acknowledged, by index", null, "index", index, documents);
    }

    /** One retried call to an external sink ({@code target}: elasticsearch, slack), for sluice_sink_retries_total. */
    public void retried(String target) {
        add("sluice.sink.retries", "calls to an external sink that failed and are retried", null, "target", target, 1);
    }

    /**
     * Gauges {@code sluice_window_tasks{window,step}}: how many of a window's tasks this instance runs now, per step
     * ({@code read}: input partitions, {@code fold}: repartition partitions). Several instances share them. False
     * while the registry is not there yet (call again later).
     */
    public boolean windowTasks(String window, java.util.function.IntToDoubleFunction tasksOfStep) {
        MeterRegistry r = registry();
        if (r == null) {
            return false;
        }
        String[] steps = {"read", "fold"};
        for (int i = 0; i < steps.length; i++) {
            int step = i;
            io.micrometer.core.instrument.Gauge.builder("sluice.window.tasks", () -> tasksOfStep.applyAsDouble(step))
                    .description("tasks of a window this instance runs, per step (read: input partitions, fold: repartition partitions)")
                    .tag("window", window).tag("step", steps[i]).register(r);
        }
        return true;
    }

    private void add(String name, String description, String flow, String tag, Object value, double amount) {
        MeterRegistry r = registry();
        if (r != null) {
            Counter.Builder counter = Counter.builder(name).description(description).tag(tag, String.valueOf(value));
            if (flow != null) {
                counter.tag("flow", flow);
            }
            counter.register(r).increment(amount);
        }
    }

    /**
     * One line per flow (route) that moved since the last call, or whose consumer group has not caught up with
     * its input: records read per second, read so far, dead-lettered, and the consumer lag. Null when nothing
     * moved and nothing lags, so an idle Sluice logs nothing.
     */
    public synchronized String progress() {
        MeterRegistry r = registry();
        long now = System.nanoTime();
        if (r == null) {
            return null;
        }
        ConsumerLag consumerLag = lag;
        Map<String, ConsumerLag.Lag> lags = Map.of();
        if (consumerLag != null) {
            consumerLag.refresh();
            lags = consumerLag.byFlow();
        }
        double seconds = lastProgressAt == 0 ? 0 : (now - lastProgressAt) / 1e9;
        lastProgressAt = now;
        // every flow that has read something, and every Kafka flow (it may lag without having read anything)
        Map<String, String> flows = new java.util.TreeMap<>();
        for (Counter c : r.find("sluice.records.in").counters()) {
            flows.put(c.getId().getTag("flow") + "\u0000" + c.getId().getTag("topic"), c.getId().getTag("flow"));
        }
        lags.forEach((flow, l) -> flows.putIfAbsent(flow + "\u0000" + l.topic(), flow));
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<String, String> e : flows.entrySet()) {
            String flow = e.getValue();
            String topic = e.getKey().substring(flow.length() + 1);
            Counter in = r.find("sluice.records.in").tag("flow", flow).tag("topic", topic).counter();
            double total = in == null ? 0 : in.count();
            double before = lastIn.getOrDefault(e.getKey(), 0.0);
            lastIn.put(e.getKey(), total);
            ConsumerLag.Lag l = lags.get(flow);
            long behind = l != null && l.topic().equals(topic) ? l.records() : 0;
            if ((total > before || behind > 0) && seconds > 0) {
                Counter dead = r.find("sluice.dead.letters").tag("flow", flow).tag("topic", topic).counter();
                lines.append(String.format("%n  %-28s %-28s %8.1f records/s in, %,.0f read, %,.0f dead-lettered, lag %,d",
                        flow, "(" + topic + ")", (total - before) / seconds, total, dead == null ? 0.0 : dead.count(), behind));
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
