package io.sluice.sales;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
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
        } catch (Invalid e) {
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
            JsonNode node = read(m.getBody(byte[].class));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("window_start", integer(node, "window_start"));
            row.put("window_end", integer(node, "window_end"));
            JsonNode item = node.get("item");
            if (item == null || !item.isTextual() || item.asText().isEmpty() || item.asText().length() > 64) {
                throw new Invalid("item must be a string of 1 to 64 characters, got " + (item == null ? "nothing" : shorten(item.toString())));
            }
            row.put("item", item.asText());
            row.put("total_amount", integer(node, "total_amount"));
            row.put("count", integer(node, "count"));
            m.setBody(row);
        } catch (Invalid e) {
            m.setHeader(DeadLetters.REASON, e.getMessage());
        }
    }

    /** The row, with {@code event_id} null when the record does not carry one. */
    Map<String, Object> row(byte[] value) throws Invalid {
        JsonNode node = read(value);
        Map<String, Object> row = new LinkedHashMap<>();
        JsonNode id = node.get("event_id");
        if (id != null && !id.isNull()) {
            if (!id.isTextual() && !id.isIntegralNumber()) {
                throw new Invalid("event_id must be a string or an integer, got " + shorten(id.toString()));
            }
            if (id.asText().isEmpty() || id.asText().length() > 128) {
                throw new Invalid("event_id must be 1 to 128 characters");
            }
            row.put("event_id", id.asText());
        } else {
            row.put("event_id", null);
        }
        JsonNode item = node.get("item");
        if (item == null || item.isNull()) {
            throw new Invalid("item is missing");
        }
        if (!item.isTextual() || item.asText().isBlank()) {
            throw new Invalid("item must be a non-empty string, got " + shorten(item.toString()));
        }
        if (item.asText().length() > 64) {
            throw new Invalid("item is longer than 64 characters");
        }
        row.put("item", item.asText());
        row.put("amount", integer(node, "amount"));
        long time = integer(node, "time");
        if (time < 0) {
            throw new Invalid("time must not be negative, got " + time);
        }
        row.put("time", time);
        return row;
    }

    private JsonNode read(byte[] value) throws Invalid {
        if (value == null || value.length == 0) {
            throw new Invalid("empty record (tombstone)");
        }
        if (value.length > MAX_BYTES) {
            throw new Invalid("payload is " + value.length + " bytes, more than the " + MAX_BYTES + " allowed");
        }
        try {
            JsonNode node = json.readTree(value);
            if (node == null || !node.isObject()) {
                throw new Invalid("not a JSON object");
            }
            return node;
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new Invalid("not JSON: " + msg);
        }
    }

    private static long integer(JsonNode node, String field) throws Invalid {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new Invalid(field + " is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Invalid(field + " must be a whole number, got " + shorten(v.toString()));
        }
        return v.asLong();
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }
}
