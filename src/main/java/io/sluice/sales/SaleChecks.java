package io.sluice.sales;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.kafka.JsonRecord;
import io.sluice.kafka.JsonRecord.Refused;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Route step: one raw {@code sales} record {@code {"item":"a","amount":20,"time":1}} becomes the row for table
 * {@code sales} — {@code event_id, item, amount, time} — or header {@value DeadLetters#REASON} says why not.
 * The event id is the record's own {@code event_id} when it has one, else its Kafka coordinates
 * ({@code topic-partition@offset}), which are the same however often the record is delivered.
 */
public final class SaleChecks {

    static final int MAX_BYTES = 16_384;
    private final ObjectMapper json;

    public SaleChecks(ObjectMapper json) {
        this.json = json;
    }

    public void parse(Exchange exchange) {
        Message m = exchange.getMessage();
        try {
            Map<String, Object> row = row(m.getBody(byte[].class));
            if (row.get("event_id") == null) {
                row.put("event_id", m.getHeader(KafkaConstants.TOPIC) + "-" + m.getHeader(KafkaConstants.PARTITION)
                        + "@" + m.getHeader(KafkaConstants.OFFSET));
            }
            m.setBody(row);
        } catch (Refused e) {
            m.setHeader(DeadLetters.REASON, e.getMessage());
        }
    }

    /**
     * Route step for the sales_summary sink: one {@code sales-summary} record becomes its row
     * ({@code window_start, window_end, item, total_amount, count}), or header {@value DeadLetters#REASON} says why not.
     */
    public void summaryRow(Exchange exchange) {
        Message m = exchange.getMessage();
        try {
            JsonNode node = JsonRecord.object(json, m.getBody(byte[].class), MAX_BYTES);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("window_start", JsonRecord.wholeNumber(node, "window_start"));
            row.put("window_end", JsonRecord.wholeNumber(node, "window_end"));
            JsonNode item = node.get("item");
            if (item == null || !item.isTextual() || item.asText().isEmpty() || item.asText().length() > 64) {
                throw new Refused("item must be a string of 1 to 64 characters, got " + (item == null ? "nothing" : JsonRecord.shorten(item.toString())));
            }
            row.put("item", item.asText());
            row.put("total_amount", JsonRecord.wholeNumber(node, "total_amount"));
            row.put("count", JsonRecord.wholeNumber(node, "count"));
            m.setBody(row);
        } catch (Refused e) {
            m.setHeader(DeadLetters.REASON, e.getMessage());
        }
    }

    /** The row, with {@code event_id} null when the record does not carry one. */
    Map<String, Object> row(byte[] value) throws Refused {
        JsonNode node = JsonRecord.object(json, value, MAX_BYTES);
        Map<String, Object> row = new LinkedHashMap<>();
        JsonNode id = node.get("event_id");
        if (id != null && !id.isNull()) {
            if (!id.isTextual() && !id.isIntegralNumber()) {
                throw new Refused("event_id must be a string or an integer, got " + JsonRecord.shorten(id.toString()));
            }
            if (id.asText().isEmpty() || id.asText().length() > 128) {
                throw new Refused("event_id must be 1 to 128 characters");
            }
            row.put("event_id", id.asText());
        } else {
            row.put("event_id", null);
        }
        JsonNode item = node.get("item");
        if (item == null || item.isNull()) {
            throw new Refused("item is missing");
        }
        if (!item.isTextual() || item.asText().isBlank()) {
            throw new Refused("item must be a non-empty string, got " + JsonRecord.shorten(item.toString()));
        }
        if (item.asText().length() > 64) {
            throw new Refused("item is longer than 64 characters");
        }
        row.put("item", item.asText());
        row.put("amount", JsonRecord.wholeNumber(node, "amount"));
        long time = JsonRecord.wholeNumber(node, "time");
        if (time < 0) {
            throw new Refused("time must not be negative, got " + time);
        }
        row.put("time", time);
        return row;
    }
}
