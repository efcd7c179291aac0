package io.sluice.windows;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.sluice.ops.FlowMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * One configured window (one instance of the {@code window} route template in routes/windows.yaml): folds each
 * Kafka batch of its input into the durable window state, and closes its windows when {@link Windows} asks.
 * A route-template bean: Camel sets the properties from the template parameters, then calls {@link #register}.
 */
public final class WindowAggregator {

    private String name;
    private String topic;
    private String outputTopic;
    private String timeField;
    private long size;
    private long lateness;
    private String groupBy;
    private String overall;
    private String aggregate;
    private long idleTimeoutMs;
    private String idField;
    private Windows windows;

    private WindowSpec spec;
    private WindowFold fold;

    /** Init method: checks the configuration and makes the window known to the closer. */
    public void register() {
        spec = new WindowSpec(name, timeField, size, lateness, groupBy, overall, WindowSpec.Aggregate.parse(aggregate), idleTimeoutMs);
        fold = new WindowFold(spec, windows.json(), idField);
        windows.register(this);
    }

    /**
     * Route step, after {@code kafkaRecords.keepBatch}: folds the batch in (one database transaction); late and
     * unusable records are queued for their topics in the same transaction. Throws if the database is unavailable,
     * so the route retries the whole batch; records already folded in are recognised by their offsets.
     */
    public void fold(Exchange exchange) throws SQLException {
        List<?> batch = exchange.getMessage().getBody(List.class);
        List<WindowFold.Input> inputs = new ArrayList<>(batch.size());
        FlowMetrics metrics = windows.metrics();
        for (Object item : batch) {
            Message record = item instanceof Exchange e ? e.getMessage() : exchange.getMessage();
            String recordTopic = record.getHeader(KafkaConstants.TOPIC, String.class);
            inputs.add(new WindowFold.Input(recordTopic, record.getHeader(KafkaConstants.PARTITION, Integer.class),
                    record.getHeader(KafkaConstants.OFFSET, Long.class), record.getHeader(KafkaConstants.KEY, String.class),
                    record.getBody(byte[].class)));
        }
        WindowFold.Result result = windows.store().fold(spec, fold, inputs, lateTopic(), dlqTopic(),
                windows.letters(exchange.getFromRouteId()), System.currentTimeMillis());
        metrics.in(exchange.getFromRouteId(), topic, result.fresh());
        long late = result.refusals().stream().filter(WindowFold.Refusal::late).count();
        if (late > 0) {
            metrics.late(name, late);
        }
    }

    /** Closes what is due (see {@link WindowSpec}); returns the number of results queued. */
    // the input's end offsets as last reported, and since when they have not changed (only the closer thread)
    private Map<String, Long> lastEnds;
    private long endsSeenSince;

    int closeDue(long now) throws SQLException {
        Map<String, Long> ends = windows.endOffsets(topic);
        if (ends == null) {
            lastEnds = null;
            return 0; // Kafka cannot say how far the input goes: close nothing until it can
        }
        if (!ends.equals(lastEnds)) {
            lastEnds = ends;
            endsSeenSince = now;
        }
        int closed = windows.store().close(spec, outputTopic, ends, now, endsSeenSince);
        if (closed > 0) {
            windows.metrics().windowsClosed(name, closed);
        }
        return closed;
    }

    String lateTopic() {
        return outputTopic + "-late";
    }

    String dlqTopic() {
        return outputTopic + "-dlq";
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public void setOutputTopic(String outputTopic) {
        this.outputTopic = outputTopic;
    }

    public void setTimeField(String timeField) {
        this.timeField = timeField;
    }

    public void setSize(long size) {
        this.size = size;
    }

    public void setLateness(long lateness) {
        this.lateness = lateness;
    }

    public void setGroupBy(String groupBy) {
        this.groupBy = groupBy;
    }

    public void setOverall(String overall) {
        this.overall = overall;
    }

    public void setAggregate(String aggregate) {
        this.aggregate = aggregate;
    }

    public void setIdField(String idField) {
        this.idField = idField;
    }

    public void setIdleTimeoutMs(long idleTimeoutMs) {
        this.idleTimeoutMs = idleTimeoutMs;
    }

    public void setWindows(Windows windows) {
        this.windows = windows;
    }
}
