package io.sluice.loans;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.kafka.JsonRecord;
import io.sluice.kafka.JsonRecord.Refused;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Route steps that turn a raw {@code loan_request} or {@code loan_approval} record into a map of typed columns,
 * or set header {@value DeadLetters#REASON} with why not. Limits follow the table's column sizes, so a value
 * that passes always fits.
 */
public final class LoanChecks {

    private final ObjectMapper json;

    public LoanChecks(ObjectMapper json) {
        this.json = json;
    }

    public void parseRequest(Exchange exchange) {
        parse(exchange, true);
    }

    public void parseApproval(Exchange exchange) {
        parse(exchange, false);
    }

    /** HTTP: the approval is named by the path, {@code /api/loans/{custId}/{loanId}/approval}. */
    public void approvalFromPath(Exchange exchange) {
        Message m = exchange.getMessage();
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("cust_ids", m.getHeader("custId", String.class));
        key.put("loan_id", m.getHeader("loanId", String.class));
        try {
            m.setBody(approval(json.valueToTree(Map.of("cust_ids", number(key.get("cust_ids")), "loan_id", key.get("loan_id")))));
        } catch (Refused e) {
            m.setHeader(DeadLetters.REASON, e.getMessage());
        }
    }

    /** HTTP: the body becomes {@code {"error": reason}}. */
    public void errorBody(Exchange exchange) {
        Message m = exchange.getMessage();
        m.setBody(Map.of("error", m.getHeader(DeadLetters.REASON, String.class)));
    }

    private static Object number(Object text) {
        try {
            return Long.parseLong(String.valueOf(text));
        } catch (NumberFormatException e) {
            return String.valueOf(text);
        }
    }

    private void parse(Exchange exchange, boolean request) {
        Message m = exchange.getMessage();
        byte[] value = m.getBody(byte[].class);
        try {
            Map<String, Object> row = request ? request(read(value)) : approval(read(value));
            m.setBody(row);
        } catch (Refused e) {
            m.setHeader(DeadLetters.REASON, e.getMessage());
        }
    }

    Map<String, Object> request(JsonNode node) throws Refused {
        Map<String, Object> row = approval(node);
        long amount = integer(node, "loan_amount");
        if (amount <= 0 || amount > Integer.MAX_VALUE) {
            throw new Refused("loan_amount must be a positive whole amount, got " + node.get("loan_amount"));
        }
        row.put("loan_amount", (int) amount);
        row.put("first_name", text(node, "first_name", 50));
        row.put("last_name", text(node, "last_name", 50));
        row.put("country", text(node, "country", 64));
        row.put("phone", text(node, "phone", 32));
        return row;
    }

    Map<String, Object> approval(JsonNode node) throws Refused {
        Map<String, Object> row = new LinkedHashMap<>();
        long cust = integer(node, "cust_ids");
        if (cust <= 0 || cust > Integer.MAX_VALUE) {
            throw new Refused("cust_ids must be a positive integer, got " + node.get("cust_ids"));
        }
        row.put("cust_ids", (int) cust);
        String loanId = text(node, "loan_id", 64);
        if (loanId == null || loanId.isBlank()) {
            throw new Refused("loan_id is missing");
        }
        row.put("loan_id", loanId);
        return row;
    }

    private JsonNode read(byte[] value) throws Refused {
        return JsonRecord.object(json, value, 16_384);
    }

    private static long integer(JsonNode node, String field) throws Refused {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new Refused(field + " is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Refused(field + " must be an integer, got " + v);
        }
        return v.asLong();
    }

    private static String text(JsonNode node, String field, int max) throws Refused {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new Refused(field + " must be a string, got " + v);
        }
        if (v.asText().length() > max) {
            throw new Refused(field + " is longer than " + max + " characters");
        }
        return v.asText();
    }
}
