package io.sluice.windows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.JsonRecord;
import io.sluice.kafka.JsonRecord.Refused;

/** Reads the fields a window needs from one JSON record, or says why it cannot be counted. */
final class EventReader {

    /** The longest group value a result table stores (sales_summary.item is VARCHAR(64), as is sales.item). */
    static final int MAX_GROUP_CHARS = 64;

    /** @param key the group value as JSON text ({@code "a"}, {@code 12}) */
    record Event(long time, String key, long amount, String item, String id) {
    }

    private final WindowSpec spec;
    private final ObjectMapper json;
    private final String idField;

    EventReader(WindowSpec spec, ObjectMapper json, String idField) {
        this.spec = spec;
        this.json = json;
        this.idField = idField == null || idField.isBlank() ? null : idField;
    }

    Event read(byte[] value) throws Refused {
        JsonNode node = JsonRecord.object(json, value, Integer.MAX_VALUE);
        long time = 0;
        if (spec.timed()) {
            time = JsonRecord.wholeNumber(node, spec.timeField());
            if (time < 0) {
                // windows are aligned to 0 and times count from it (ticks, epoch ms); the sales table refuses it too
                throw new Refused(spec.timeField() + " must not be negative, got " + time);
            }
        }
        JsonNode group = node.get(spec.groupBy());
        if (group == null || group.isNull()) {
            throw new Refused(spec.groupBy() + " is missing");
        }
        if (group.isContainerNode()) {
            throw new Refused(spec.groupBy() + " must be a single value, got " + JsonRecord.shorten(group.toString()));
        }
        if (group.asText().length() > MAX_GROUP_CHARS) {
            // refused here, not at the result table: otherwise the overall total would count a record whose own
            // group's row can never be stored
            throw new Refused(spec.groupBy() + " is longer than " + MAX_GROUP_CHARS + " characters");
        }
        long amount = spec.aggregate().sumField() == null ? 0 : JsonRecord.wholeNumber(node, spec.aggregate().sumField());
        String item = null;
        if (spec.aggregate().listField() != null) {
            JsonNode listed = node.get(spec.aggregate().listField());
            item = listed == null ? "null" : listed.toString();
        }
        String id = null;
        if (idField != null) {
            JsonNode idNode = node.get(idField);
            if (idNode == null || idNode.isNull() || idNode.isContainerNode()) {
                throw new Refused(idField + " is missing");
            }
            id = idNode.asText();
            if (id.length() > 128) {
                throw new Refused(idField + " is longer than 128 characters");
            }
        }
        return new Event(time, group.toString(), amount, item, id);
    }
}
