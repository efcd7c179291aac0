package io.sluice.sales;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.JsonRecord;
import io.sluice.kafka.JsonRecord.Refused;
import io.sluice.kafka.RecordBatch;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Route steps on a Kafka batch: each raw {@code sales} record {@code {"item":"a","amount":20,"time":1}} becomes the
 * row for table {@code sales} — {@code event_id, item, amount, time} — or a dead letter that says why not.
 * The event id is the record's own {@code event_id} when it has one, else its Kafka coordinates
 * ({@code topic-partition@offset}), which are the same however often the record is delivered.
 */
public final class SaleChecks {

    static final int MAX_BYTES = 16_384;
    private final ObjectMapper json;

    public SaleChecks(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Route step on a whole batch (body: the consumer's list of record exchanges): returns the rows of its valid
     * sales, each with its event id; the others are dead-lettered to {@code deadLetterTopic} with the reason.
     */
    public List<Map<String, Object>> rows(Exchange batch, String deadLetterTopic) throws JsonProcessingException {
        return RecordBatch.rows(batch, deadLetterTopic, this::saleRow);
    }

    /**
     * Route step for the sales_summary sink, on a whole batch: returns the rows of its valid {@code sales-summary}
     * records ({@code window_start, window_end, item, total_amount, count}); the others are dead-lettered.
     */
    public List<Map<String, Object>> summaryRows(Exchange batch, String deadLetterTopic) throws JsonProcessingException {
        return RecordBatch.rows(batch, deadLetterTopic, (record, value) -> summaryRow(value));
    }

    /** The row of one sales record: {@link #row} with the event id its Kafka coordinates when it has none. */
    Map<String, Object> saleRow(Message record, byte[] value) throws Refused {
        Map<String, Object> row = row(value);
        if (row.get("event_id") == null) {
            row.put("event_id", RecordBatch.coordinates(record));
        }
        return row;
    }

    Map<String, Object> summaryRow(byte[] value) throws Refused {
        JsonNode node = JsonRecord.object(json, value, MAX_BYTES);
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
        return row;
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
