package io.sluice.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A dead letter read back for the console: where it came from, and its original bytes exactly as they were. */
class DeadLetterTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theSourceTopicMayHaveDashesAndTheOriginalBytesComeBackExactly() throws Exception {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 65};
        DeadLetter bin = letter("sales-dlq", "bad", "my-sales-topic-3@42", KafkaRecords.text(binary));
        assertThat(bin.payload()).startsWith("base64:");
        assertThat(bin.sourceTopic()).isEqualTo("my-sales-topic");
        assertThat(bin.originalPayload()).isEqualTo(binary);

        // text that only looks like the writer's base64 form is text: what it decodes to is UTF-8, so the writer wrote it as is
        String looksEncoded = "base64:" + Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(letter("t-dlq", "r", "t-0@1", looksEncoded).originalPayload()).isEqualTo(looksEncoded.getBytes(StandardCharsets.UTF_8));
        assertThat(letter("t-dlq", "r", "t-0@1", "base64:not base64!").originalPayload()).isEqualTo("base64:not base64!".getBytes(StandardCharsets.UTF_8));
        assertThat(letter("t-dlq", "r", "t-0@1", "{\"a\":\"ü\"}").originalPayload()).isEqualTo("{\"a\":\"ü\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(letter("t-dlq", "r", "t-0@1", null).originalPayload()).isNull(); // a tombstone stays one

        assertThat(letter("t-dlq", "r", "nowhere", "x").sourceTopic()).isNull();
        DeadLetter notALetter = DeadLetter.of(new TopicTail.Rec("t-dlq", 0, 5, 0, null, "plain".getBytes(StandardCharsets.UTF_8)), json);
        assertThat(notALetter.reason()).isEqualTo("not a dead letter: plain");
        assertThat(notALetter.sourceTopic()).isNull();
    }

    private DeadLetter letter(String topic, String reason, String source, String payload) throws Exception {
        java.util.Map<String, Object> letter = new java.util.LinkedHashMap<>();
        letter.put("reason", reason);
        letter.put("source", source);
        letter.put("payload", payload);
        return DeadLetter.of(new TopicTail.Rec(topic, 0, 7, 0, "k".getBytes(StandardCharsets.UTF_8), json.writeValueAsBytes(letter)), json);
    }
}
