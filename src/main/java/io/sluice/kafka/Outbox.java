package io.sluice.kafka;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

/**
 * The records one input will write, collected rather than sent one by one: each a message with its topic and key
 * ({@link #record}), and the whole list goes to one Kafka producer call — one wait for all the acknowledgements
 * instead of one per record, which is what makes per-record camel-kafka 20x slower than the client. The consumer
 * commits the batch only after that call succeeds. Batch routes collect on the exchange ({@link #deadLetter},
 * {@link #take}; {@link RecordBatch} for a whole batch); the ratings flow builds its list itself.
 */
public final class Outbox {

    static final String PROPERTY = "sluiceOutbox";
    private final DeadLetters deadLetters;
    private final FlowMetrics metrics;

    public Outbox(DeadLetters deadLetters, FlowMetrics metrics) {
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** Dead-letters the record the exchange came from (see {@link DeadLetters}), keyed like the original. */
    public void deadLetter(Exchange exchange, String topic) throws JsonProcessingException {
        Message in = exchange.getMessage();
        Object key = in.getHeader(KafkaConstants.KEY);
        add(exchange, topic, key == null ? null : key.toString(), deadLetters.letter(in));
    }

    /**
     * Dead-letters {@code record}, one record of a batch (its Kafka coordinates and key are its headers, its body the
     * original bytes), refused for {@code reason} — the same letter as {@link #deadLetter(Exchange, String)}.
     */
    public void deadLetter(Exchange batch, String topic, Message record, String reason) throws JsonProcessingException {
        Object key = record.getHeader(KafkaConstants.KEY);
        add(batch, topic, key == null ? null : key.toString(),
                deadLetters.letter(batch.getFromRouteId(), reason, record, record.getBody(byte[].class)));
    }

    private void add(Exchange exchange, String topic, String key, byte[] value) {
        metrics.out(exchange.getFromRouteId(), topic);
        Message record = record(exchange.getContext(), topic, key, value);
        @SuppressWarnings("unchecked")
        List<Message> records = exchange.getProperty(PROPERTY, List.class);
        if (records == null) {
            records = new ArrayList<>(2);
            exchange.setProperty(PROPERTY, records);
        }
        records.add(record);
    }

    /** One output record for a Kafka producer endpoint: {@code value} to {@code topic}, keyed by {@code key} (or not, if null). */
    public static Message record(CamelContext context, String topic, String key, byte[] value) {
        Message record = new DefaultMessage(context);
        record.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
        if (key != null) {
            record.setHeader(KafkaConstants.KEY, key);
        }
        record.setBody(value);
        return record;
    }

    /** Route step: the body becomes every record this exchange emitted (an empty list if none). */
    public void take(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Message> emitted = exchange.getProperty(PROPERTY, List.class);
        exchange.removeProperty(PROPERTY);
        exchange.getMessage().setBody(emitted == null ? new ArrayList<Message>() : emitted);
    }
}
