package io.sluice.sales;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.kafka.Outbox;
import io.sluice.kafka.RecordBatch;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sales sinks' step over a whole Kafka batch (routes/sales.yaml): the rows of the valid records in the batch's
 * order, each with its own event_id or else its coordinates; every other record one dead letter — reason, source,
 * original payload, keyed like the original — in the exchange's outbox, for the route to send before it commits.
 */
class SaleChecksBatchTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final CamelContext context = new DefaultCamelContext();
    private final SaleChecks checks = new SaleChecks(JSON);
    private final Outbox outbox;

    SaleChecksBatchTest() {
        FlowMetrics metrics = FlowMetrics.of(context);
        outbox = new Outbox(new DeadLetters(JSON, metrics), metrics);
        context.getRegistry().bind("outbox", outbox);
    }

    @AfterEach
    void stop() throws Exception {
        context.close();
    }

    @Test
    void theValidSalesBecomeRowsAndEveryKindOfBadInputADeadLetter() throws Exception {
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, '{'};
        Exchange batch = batch(
                record(0, 10, "k1", "{\"item\":\"a\",\"amount\":20,\"time\":1}"),
                record(0, 11, "k2", "{\"amount\":5,\"time\":2}"),
                record(1, 3, null, "{\"event_id\":\"e-7\",\"item\":\"b\",\"amount\":3,\"time\":4}"),
                record(1, 4, "k4", "not json"),
                record(1, 5, null, "{\"item\":\"a\",\"amount\":1,\"time\":-1}"),
                record(2, 0, "k6", notUtf8),
                record(2, 1, "k7", (byte[]) null),
                record(2, 2, null, "{\"event_id\":42,\"item\":\"c\",\"amount\":9,\"time\":0}"),
                record(2, 3, null, "{\"event_id\":[1],\"item\":\"c\",\"amount\":9,\"time\":0}"),
                record(2, 4, null, "{\"item\":\"a\",\"amount\":1.5,\"time\":0}"));

        List<Map<String, Object>> rows = checks.rows(batch, "sales-dlq");

        assertThat(rows).containsExactly(
                Map.of("event_id", "sales-0@10", "item", "a", "amount", 20L, "time", 1L),
                Map.of("event_id", "e-7", "item", "b", "amount", 3L, "time", 4L),
                Map.of("event_id", "42", "item", "c", "amount", 9L, "time", 0L));
        assertThat(batch.getVariable(RecordBatch.ROWS)).isEqualTo(3); // the route's "any rows?" filter
        List<Message> letters = letters(batch);
        assertThat(letters).extracting(m -> m.getHeader(KafkaConstants.OVERRIDE_TOPIC)).containsOnly("sales-dlq");
        assertThat(letters).extracting(m -> m.getHeader(KafkaConstants.KEY)).containsExactly("k2", "k4", null, "k6", "k7", null, null);
        List<JsonNode> bodies = bodies(letters);
        assertThat(bodies).extracting(b -> b.get("source").asText()).containsExactly(
                "sales-0@11", "sales-1@4", "sales-1@5", "sales-2@0", "sales-2@1", "sales-2@3", "sales-2@4");
        assertThat(bodies.get(0).get("reason").asText()).isEqualTo("item is missing");
        assertThat(bodies.get(0).get("payload").asText()).isEqualTo("{\"amount\":5,\"time\":2}");
        assertThat(bodies.get(1).get("reason").asText()).startsWith("not JSON: ");
        assertThat(bodies.get(2).get("reason").asText()).isEqualTo("time must not be negative, got -1");
        assertThat(bodies.get(3).get("payload").asText()).isEqualTo("base64:" + Base64.getEncoder().encodeToString(notUtf8));
        assertThat(bodies.get(4).get("reason").asText()).isEqualTo("empty record (tombstone)");
        assertThat(bodies.get(4).get("payload").isNull()).isTrue();
        assertThat(bodies.get(5).get("reason").asText()).isEqualTo("event_id must be a string or an integer, got [1]");
        assertThat(bodies.get(6).get("reason").asText()).isEqualTo("amount must be a whole number, got 1.5");
        assertThat(bodies).allSatisfy(b -> assertThat(b.properties()).extracting(Map.Entry::getKey)
                .containsExactly("reason", "source", "payload"));
    }

    @Test
    void aBatchWithoutBadInputLeavesNoDeadLetter() throws Exception {
        Exchange batch = batch(record(0, 0, null, "{\"item\":\"a\",\"amount\":1,\"time\":0}"));
        assertThat(checks.rows(batch, "sales-dlq")).hasSize(1);
        assertThat(batch.getVariable(RecordBatch.ROWS)).isEqualTo(1);
        assertThat(letters(batch)).isEmpty();
    }

    @Test
    void summaryRecordsBecomeSummaryRowsOrDeadLetters() throws Exception {
        Exchange batch = batch(
                record(0, 0, "a", "{\"window_start\":0,\"window_end\":5,\"item\":\"a\",\"total_amount\":30,\"count\":2}"),
                record(0, 1, "b", "{\"window_start\":0,\"window_end\":5,\"item\":\"\",\"total_amount\":1,\"count\":1}"),
                record(0, 2, "c", "{\"window_start\":0,\"window_end\":5,\"item\":\"c\",\"count\":1}"));

        List<Map<String, Object>> rows = checks.summaryRows(batch, "sales-summary-dlq");

        assertThat(rows).containsExactly(
                Map.of("window_start", 0L, "window_end", 5L, "item", "a", "total_amount", 30L, "count", 2L));
        List<Message> letters = letters(batch);
        assertThat(letters).extracting(m -> m.getHeader(KafkaConstants.KEY)).containsExactly("b", "c");
        assertThat(bodies(letters)).extracting(b -> b.get("reason").asText()).containsExactly(
                "item must be a string of 1 to 64 characters, got \"\"", "total_amount is missing");
    }

    /** A batch as the batching consumer hands it over, inside route sales-ingest. */
    private Exchange batch(Exchange... records) {
        Exchange batch = new DefaultExchange(context);
        batch.getExchangeExtension().setFromRouteId("sales-ingest");
        batch.getMessage().setBody(List.of(records));
        return batch;
    }

    private List<Message> letters(Exchange batch) {
        outbox.take(batch);
        @SuppressWarnings("unchecked")
        List<Message> letters = batch.getMessage().getBody(List.class);
        return letters;
    }

    private static List<JsonNode> bodies(List<Message> letters) throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (Message m : letters) {
            bodies.add(JSON.readTree(m.getBody(byte[].class)));
        }
        return bodies;
    }

    private Exchange record(int partition, long offset, String key, String value) {
        return record(partition, offset, key, value.getBytes(StandardCharsets.UTF_8));
    }

    private Exchange record(int partition, long offset, String key, byte[] value) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader(KafkaConstants.TOPIC, "sales");
        e.getMessage().setHeader(KafkaConstants.PARTITION, partition);
        e.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        if (key != null) {
            e.getMessage().setHeader(KafkaConstants.KEY, key);
        }
        e.getMessage().setBody(value);
        return e;
    }
}
