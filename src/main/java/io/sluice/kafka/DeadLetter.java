package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A dead letter as read back from its topic ({@link DeadLetters} wrote it): where it is, its key (the original's),
 * and the letter's reason, source ({@code topic-partition@offset}) and payload.
 */
public record DeadLetter(String topic, int partition, long offset, long timestamp, byte[] key,
                         String reason, String source, String payload) {

    /** The letter in {@code rec}; a record that is not a letter's JSON keeps its text as the reason. */
    public static DeadLetter of(TopicTail.Rec rec, ObjectMapper json) {
        String reason;
        String source = null;
        String payload = null;
        try {
            JsonNode letter = json.readTree(rec.value());
            reason = letter.path("reason").asText(null);
            source = letter.path("source").asText(null);
            payload = letter.path("payload").isNull() ? null : letter.path("payload").asText(null);
        } catch (Exception e) {
            reason = "not a dead letter: " + (rec.value() == null ? "empty" : KafkaRecords.text(rec.value()));
        }
        return new DeadLetter(rec.topic(), rec.partition(), rec.offset(), rec.timestamp(), rec.key(), reason, source, payload);
    }

    /** The topic the letter came from, or null when its source is not {@code topic-partition@offset}. */
    public String sourceTopic() {
        if (source == null) {
            return null;
        }
        int at = source.lastIndexOf('@');
        int dash = at < 0 ? -1 : source.lastIndexOf('-', at);
        return dash <= 0 ? null : source.substring(0, dash);
    }

    /**
     * The original record's bytes. The writer turned them into text, or into {@code base64:…} only when they were not
     * UTF-8 — so {@code base64:…} is decoded only when what it decodes to is not UTF-8 either; otherwise the original
     * was text that happened to start with "base64:".
     */
    public byte[] originalPayload() {
        if (payload == null) {
            return null;
        }
        if (payload.startsWith("base64:")) {
            try {
                byte[] bytes = Base64.getDecoder().decode(payload.substring("base64:".length()));
                if (!utf8(bytes)) {
                    return bytes;
                }
            } catch (IllegalArgumentException notBase64) {
                // text after all
            }
        }
        return payload.getBytes(StandardCharsets.UTF_8);
    }

    public String keyText() {
        return key == null ? null : KafkaRecords.text(key);
    }

    private static boolean utf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
