package io.sluice.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

/**
 * The records one input will write, collected rather than sent one by one. A batch route splits its Kafka
 * batch, lets each record {@code emit} what it produces (0..n records, to any topic), gathers them with
 * {@link #collector()} and hands the whole list to one Kafka producer call: one wait for all the
 * acknowledgements instead of one per record, which is what makes per-record camel-kafka 20x slower than the
 * client. The consumer commits the batch only after that call succeeds.
 */
public final class Outbox {

    static final String PROPERTY = "sluiceOutbox";
    private final ObjectMapper json;
    private final DeadLetters deadLetters;
    private final FlowMetrics metrics;

    public Outbox(ObjectMapper json, DeadLetters deadLetters, FlowMetrics metrics) {
        this.json = json;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** Writes the body (a Map) as JSON to {@code topic}, keyed by the body's {@code keyField}. */
    public void emit(Exchange exchange, String topic, String keyField) throws JsonProcessingException {
        Map<?, ?> body = exchange.getMessage().getBody(Map.class);
        add(exchange, topic, key(body, keyField), json.writeValueAsBytes(body));
    }

    /** Like {@link #emit} with only {@code fields} (comma-separated), in that order. */
    public void emitFields(Exchange exchange, String topic, String keyField, String fields) throws JsonProcessingException {
        Map<?, ?> body = exchange.getMessage().getBody(Map.class);
        Map<String, Object> projected = new LinkedHashMap<>();
        for (String f : fields.split(",")) {
            String name = f.trim();
            if (!name.isEmpty()) {
                projected.put(name, body.get(name));
            }
        }
        add(exchange, topic, key(body, keyField), json.writeValueAsBytes(projected));
    }

    /** Dead-letters the record the exchange came from (see {@link DeadLetters}), keyed like the original. */
    public void deadLetter(Exchange exchange, String topic) throws JsonProcessingException {
        Message in = exchange.getMessage();
        Object key = in.getHeader(KafkaConstants.KEY);
        add(exchange, topic, key == null ? null : key.toString(), deadLetters.letter(in));
    }

    private static String key(Map<?, ?> body, String keyField) {
        Object key = body.get(keyField);
        return key == null ? null : key.toString();
    }

    private void add(Exchange exchange, String topic, String key, byte[] value) {
        metrics.out(exchange.getFromRouteId(), topic);
        Message record = new DefaultMessage(exchange.getContext());
        record.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
        if (key != null) {
            record.setHeader(KafkaConstants.KEY, key);
        }
        record.setBody(value);
        @SuppressWarnings("unchecked")
        List<Message> records = exchange.getProperty(PROPERTY, List.class);
        if (records == null) {
            records = new ArrayList<>(2);
            exchange.setProperty(PROPERTY, records);
        }
        records.add(record);
    }

    /** Adds what {@code from} emitted to what {@code to} has emitted (for split aggregations that keep another body). */
    public static void moveEmitted(Exchange from, Exchange to) {
        @SuppressWarnings("unchecked")
        List<Message> emitted = from.getProperty(PROPERTY, List.class);
        if (emitted == null || emitted.isEmpty()) {
            return;
        }
        @SuppressWarnings("unchecked")
        List<Message> target = to.getProperty(PROPERTY, List.class);
        if (target == null) {
            to.setProperty(PROPERTY, new ArrayList<>(emitted));
        } else {
            target.addAll(emitted);
        }
        from.removeProperty(PROPERTY);
    }

    /** Route step: the body becomes every record this exchange emitted (an empty list if none). */
    public void take(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Message> emitted = exchange.getProperty(PROPERTY, List.class);
        exchange.removeProperty(PROPERTY);
        exchange.getMessage().setBody(emitted == null ? new ArrayList<Message>() : emitted);
    }

    /** Split aggregation: the parent's body becomes every record emitted by every part, in input order. */
    public static AggregationStrategy collector() {
        return (oldExchange, newExchange) -> {
            @SuppressWarnings("unchecked")
            List<Message> emitted = newExchange.getProperty(PROPERTY, List.class);
            Exchange target = oldExchange == null ? newExchange : oldExchange;
            @SuppressWarnings("unchecked")
            List<Message> all = oldExchange == null ? new ArrayList<>() : oldExchange.getMessage().getBody(List.class);
            if (emitted != null) {
                all.addAll(emitted);
            }
            target.getMessage().setBody(all);
            return target;
        };
    }

}
