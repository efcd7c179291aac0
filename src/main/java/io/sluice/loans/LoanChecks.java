package io.sluice.loans;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.kafka.JsonRecord;
import io.sluice.kafka.JsonRecord.Refused;
import io.sluice.ops.ApiRole;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Route steps that turn a raw {@code loan_request} or {@code loan_approval} record into a map of typed columns,
 * or set header {@value DeadLetters#REASON} with why not — every reason, joined by "; ", so a record (or an HTTP
 * submission, which gets them as a list) with three faults is not fixed one fault per round trip. Limits follow
 * the table's column sizes, so a value that passes always fits.
 */
public final class LoanChecks {

    /** Header: the reasons as a list, for the HTTP API's 400 body. */
    public static final String REASONS = "sluiceRejectedReasons";

    private final ObjectMapper json;

    public LoanChecks(ObjectMapper json) {
        this.json = json;
    }

    public void parseRequest(Exchange exchange) {
        parse(exchange, true);
    }

    /** A Kafka approval names its approver ({@code approved_by}): the audit trail of who moved the money. */
    public void parseApproval(Exchange exchange) {
        parse(exchange, false);
    }

    /**
     * HTTP: the approval is named by the path, {@code /api/loans/{custId}/{loanId}/approval}, and approved by the
     * authenticated user (header {@value ApiRole#USER}, set by the API's role check).
     */
    public void approvalFromPath(Exchange exchange) {
        Message m = exchange.getMessage();
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("cust_ids", number(m.getHeader("custId", String.class)));
        key.put("loan_id", m.getHeader("loanId", String.class));
        key.put("approved_by", m.getHeader(ApiRole.USER, String.class));
        m.removeHeaders("(custId|loanId)"); // read: they are not to ride on the disbursement event
        check(m, () -> approval(json.valueToTree(key)));
    }

    /** HTTP: the path of {@code GET /api/loans/{custId}/{loanId}} as {cust_ids, loan_id}, or why it is not one. */
    public void loanFromPath(Exchange exchange) {
        Message m = exchange.getMessage();
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("cust_ids", number(m.getHeader("custId", String.class)));
        key.put("loan_id", m.getHeader("loanId", String.class));
        check(m, () -> {
            List<String> reasons = new ArrayList<>();
            Map<String, Object> row = loanKey(json.valueToTree(key), reasons);
            refuseIf(reasons);
            return row;
        });
    }

    /** HTTP: the body becomes {@code {"error": "...", "reasons": [...]}}. */
    public void errorBody(Exchange exchange) {
        Message m = exchange.getMessage();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", m.getHeader(DeadLetters.REASON, String.class));
        body.put("reasons", m.getHeader(REASONS, List.class));
        m.setBody(body);
    }

    private static Object number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return text;
        }
    }

    private void parse(Exchange exchange, boolean request) {
        Message m = exchange.getMessage();
        byte[] value = m.getBody(byte[].class);
        check(m, () -> request ? request(read(value)) : approval(read(value)));
    }

    private interface Check {
        Map<String, Object> run() throws Refused, Invalid;
    }

    private static void check(Message m, Check check) {
        try {
            m.setBody(check.run());
        } catch (Refused e) { // not a JSON object at all: one reason
            m.setHeader(DeadLetters.REASON, e.getMessage());
            m.setHeader(REASONS, List.of(e.getMessage()));
        } catch (Invalid e) {
            m.setHeader(DeadLetters.REASON, String.join("; ", e.reasons));
            m.setHeader(REASONS, e.reasons);
        }
    }

    Map<String, Object> request(JsonNode node) throws Invalid {
        List<String> reasons = new ArrayList<>();
        Map<String, Object> row = loanKey(node, reasons);
        Long amount = integer(node, "loan_amount", reasons);
        if (amount != null && (amount <= 0 || amount > Integer.MAX_VALUE)) {
            reasons.add("loan_amount must be a positive whole amount, got " + node.get("loan_amount"));
        }
        row.put("loan_amount", amount == null ? null : amount.intValue());
        row.put("first_name", text(node, "first_name", 50, reasons));
        row.put("last_name", text(node, "last_name", 50, reasons));
        row.put("country", text(node, "country", 64, reasons));
        row.put("phone", text(node, "phone", 32, reasons));
        refuseIf(reasons);
        return row;
    }

    Map<String, Object> approval(JsonNode node) throws Invalid {
        List<String> reasons = new ArrayList<>();
        Map<String, Object> row = loanKey(node, reasons);
        String approvedBy = text(node, "approved_by", 64, reasons);
        if (approvedBy == null || approvedBy.isBlank()) {
            reasons.add("approved_by is missing: an approval names who approved it");
        }
        row.put("approved_by", approvedBy);
        refuseIf(reasons);
        return row;
    }

    private static Map<String, Object> loanKey(JsonNode node, List<String> reasons) {
        Map<String, Object> row = new LinkedHashMap<>();
        Long cust = integer(node, "cust_ids", reasons);
        if (cust != null && (cust <= 0 || cust > Integer.MAX_VALUE)) {
            reasons.add("cust_ids must be a positive integer, got " + node.get("cust_ids"));
        }
        row.put("cust_ids", cust == null ? null : cust.intValue());
        String loanId = text(node, "loan_id", 64, reasons);
        if (!node.hasNonNull("loan_id") || loanId != null && loanId.isBlank()) {
            reasons.add("loan_id is missing");
        }
        row.put("loan_id", loanId);
        return row;
    }

    private static void refuseIf(List<String> reasons) throws Invalid {
        if (!reasons.isEmpty()) {
            throw new Invalid(reasons);
        }
    }

    /** A JSON object refused for one or more reasons (a dead letter's reason joins them). */
    static final class Invalid extends Exception {
        final List<String> reasons;

        Invalid(List<String> reasons) {
            super(String.join("; ", reasons), null, false, false);
            this.reasons = List.copyOf(reasons);
        }
    }

    private JsonNode read(byte[] value) throws Refused {
        return JsonRecord.object(json, value, 16_384);
    }

    private static Long integer(JsonNode node, String field, List<String> reasons) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            reasons.add(field + " is missing");
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            reasons.add(field + " must be an integer, got " + JsonRecord.shorten(v.toString()));
            return null;
        }
        return v.asLong();
    }

    private static String text(JsonNode node, String field, int max, List<String> reasons) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            reasons.add(field + " must be a string, got " + JsonRecord.shorten(v.toString()));
            return null;
        }
        if (v.asText().length() > max) {
            reasons.add(field + " is longer than " + max + " characters");
            return null;
        }
        return v.asText();
    }
}
