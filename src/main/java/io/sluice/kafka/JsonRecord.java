package io.sluice.kafka;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The checks every flow makes on a raw JSON record before it reads its fields, with the reasons its dead letters
 * carry: a tombstone, a record over the size limit, not JSON, not an object; a field that must be a whole number.
 */
public final class JsonRecord {

    /** Longer offending values are cut so a reason stays one readable line. */
    private static final int MAX_SHOWN_CHARS = 40;

    private JsonRecord() {
    }

    /** The record as a JSON object, or why it is not one. */
    public static JsonNode object(ObjectMapper json, byte[] value, int maxBytes) throws Refused {
        if (value == null || value.length == 0) {
            throw new Refused("empty record (tombstone)");
        }
        if (value.length > maxBytes) {
            throw new Refused("payload is " + value.length + " bytes, more than the " + maxBytes + " allowed");
        }
        JsonNode node;
        try {
            node = json.readTree(value);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new Refused("not JSON: " + msg);
        }
        if (node == null || !node.isObject()) {
            throw new Refused("not a JSON object");
        }
        return node;
    }

    /** The field as a long, or why not: missing (or null), or not a whole number that fits. */
    public static long wholeNumber(JsonNode node, String field) throws Refused {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new Refused(field + " is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Refused(field + " must be a whole number, got " + shorten(v.toString()));
        }
        return v.asLong();
    }

    public static String shorten(String s) {
        return s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS) + "…";
    }

    /** A record refused, with the reason for its dead letter. */
    public static final class Refused extends Exception {
        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }
}
