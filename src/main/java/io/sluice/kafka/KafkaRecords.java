package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.sluice.ops.FlowMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Route step for batch consumers: a batch arrives as a list of exchanges, one per Kafka record; the splitter
 * hands each of them over as a body. {@link #unwrap} makes the current message that record: its value as the
 * body and its coordinates as headers, plus the original bytes for a dead letter.
 */
public final class KafkaRecords {

    public static final String ORIGINAL_VALUE = "sluiceOriginalValue";
    private final FlowMetrics metrics;

    public KafkaRecords(FlowMetrics metrics) {
        this.metrics = metrics;
    }

    public void unwrap(Exchange exchange) {
        Message current = exchange.getMessage();
        Object body = current.getBody();
        if (!(body instanceof Exchange record)) {
            current.setHeader(ORIGINAL_VALUE, body); // already a plain record (a non-batching consumer)
            metrics.in(current.getHeader(KafkaConstants.TOPIC));
            return;
        }
        Message in = record.getMessage();
        current.setHeader(KafkaConstants.TOPIC, in.getHeader(KafkaConstants.TOPIC));
        current.setHeader(KafkaConstants.PARTITION, in.getHeader(KafkaConstants.PARTITION));
        current.setHeader(KafkaConstants.OFFSET, in.getHeader(KafkaConstants.OFFSET));
        current.setHeader(KafkaConstants.KEY, in.getHeader(KafkaConstants.KEY));
        Object value = in.getBody();
        current.setHeader(ORIGINAL_VALUE, value);
        current.setBody(value);
        metrics.in(in.getHeader(KafkaConstants.TOPIC));
    }

    /** The bytes as text when they are valid UTF-8, else as base64 (so a dead letter is always valid JSON). */
    static String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(bytes);
        }
    }
}
