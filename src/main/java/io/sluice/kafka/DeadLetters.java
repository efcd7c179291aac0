package io.sluice.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * The dead letter every flow writes: {@code {"reason","source","payload"}} — why the record was refused, where it
 * came from (topic-partition@offset) and its original bytes (text when UTF-8, else base64), keyed like the
 * original so it can be found.
 */
public final class DeadLetters {

    /** Header with the reason a record is refused. */
    public static final String REASON = "sluiceRejected";
    private final ObjectMapper json;
    private final FlowMetrics metrics;

    public DeadLetters(ObjectMapper json, FlowMetrics metrics) {
        this.json = json;
        this.metrics = metrics;
    }

    /** The letter for the record {@code in} was unwrapped from, with the reason in its header {@link #REASON}. */
    public byte[] letter(Message in) throws JsonProcessingException {
        return letter(in.getExchange().getFromRouteId(), in.getHeader(REASON, "unknown", String.class), in,
                in.getHeader(KafkaRecords.ORIGINAL_VALUE, byte[].class));
    }

    /** The letter for a Kafka record (its coordinates are the message's headers) that {@code flow} refused for {@code reason}. */
    public byte[] letter(String flow, String reason, Message record, byte[] original) throws JsonProcessingException {
        return letter(flow, reason, record.getHeader(KafkaConstants.TOPIC), record.getHeader(KafkaConstants.PARTITION),
                record.getHeader(KafkaConstants.OFFSET), original);
    }

    /** The letter for a record of {@code topic}-{@code partition}@{@code offset} that {@code flow} refused for {@code reason}. */
    public byte[] letter(String flow, String reason, Object topic, Object partition, Object offset, byte[] original) throws JsonProcessingException {
        metrics.deadLettered(flow, topic);
        Map<String, Object> letter = new LinkedHashMap<>();
        letter.put("reason", reason);
        letter.put("source", topic + "-" + partition + "@" + offset);
        letter.put("payload", original == null ? null : KafkaRecords.text(original));
        return json.writeValueAsBytes(letter);
    }

    /** Route step for a single-record route: the body becomes the letter, ready for a Kafka endpoint. */
    public void toLetter(Exchange exchange) throws JsonProcessingException {
        Message m = exchange.getMessage();
        m.setBody(letter(m));
    }
}
