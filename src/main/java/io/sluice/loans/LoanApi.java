package io.sluice.loans;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.ops.ApiRole;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The loans HTTP API's own steps (routes/loans-api.yaml): a submission is recorded in {@code loan_submission}
 * before it is published to {@code loan_request}, and a loan's status is read from the three tables that say how
 * far it got — {@code loan_submission} (submitted over HTTP), {@code loanrequest} (received by the requests flow)
 * and {@code loan_disburse} (approved).
 */
public final class LoanApi {

    /** Header: the HTTP status this step decided. */
    public static final String STATUS = "sluiceApiStatus";
    private static final List<String> FIELDS = List.of("loan_amount", "first_name", "last_name", "country", "phone");

    private final Supplier<DataSource> dataSource;
    private final ObjectMapper json;
    private final io.sluice.db.SqlDialect dialect;

    public LoanApi(Supplier<DataSource> dataSource, io.sluice.db.SqlDialect dialect, ObjectMapper json) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.json = json;
    }

    /**
     * Route step after {@link LoanChecks#parseRequest}: records the checked request (body) as submitted by the
     * authenticated user ({@value ApiRole#USER}) and turns the body into the {@code loan_request} record, keyed {@code {"cust_ids","loan_id"}}.
     * The same loan submitted again with the same fields is the same submission (published again: the requests
     * flow keeps one row); with other fields it is refused (409), as the first one may be received already.
     */
    public void submit(Exchange exchange) throws SQLException, JsonProcessingException {
        Message m = exchange.getMessage();
        Map<String, Object> request = new LinkedHashMap<>(m.getBody(Map.class));
        int custIds = (Integer) request.get("cust_ids");
        String loanId = (String) request.get("loan_id");
        try (Connection c = dataSource.get().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(dialect.statement(io.sluice.db.SqlDialect.LOAN_SUBMISSION_INSERT))) {
                ps.setInt(1, custIds);
                ps.setString(2, loanId);
                ps.setInt(3, (Integer) request.get("loan_amount"));
                ps.setString(4, (String) request.get("first_name"));
                ps.setString(5, (String) request.get("last_name"));
                ps.setString(6, (String) request.get("country"));
                ps.setString(7, (String) request.get("phone"));
                ps.setString(8, m.getHeader(ApiRole.USER, String.class));
                ps.executeUpdate();
            }
            Map<String, Object> stored = row(c, "SELECT loan_amount, first_name, last_name, country, phone FROM loan_submission"
                    + " WHERE cust_ids = ? AND loan_id = ?", custIds, loanId);
            for (String field : FIELDS) {
                if (!Objects.equals(stored.get(field), request.get(field))) {
                    m.setHeader(STATUS, 409);
                    m.setBody(Map.of("error", "loan " + loanId + " of customer " + custIds
                            + " was submitted before with other values (" + field + ")", "cust_ids", custIds, "loan_id", loanId));
                    return;
                }
            }
        }
        m.setHeader(STATUS, 202);
        m.setHeader("kafka.KEY", json.writeValueAsString(Map.of("cust_ids", custIds, "loan_id", loanId)));
        m.setBody(json.writeValueAsBytes(request));
    }

    /** Route step after the record is acknowledged: the 202's Location and body (not before: no Kafka header). */
    public Map<String, Object> accepted(Exchange exchange) throws java.io.IOException {
        Map<?, ?> request = json.readValue(exchange.getMessage().getBody(byte[].class), Map.class);
        exchange.getMessage().setHeader("Location", location((Integer) request.get("cust_ids"), (String) request.get("loan_id")));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "submitted");
        body.put("cust_ids", request.get("cust_ids"));
        body.put("loan_id", request.get("loan_id"));
        body.put("location", location((Integer) request.get("cust_ids"), (String) request.get("loan_id")));
        return body;
    }

    /**
     * Route step after {@link LoanChecks#loanFromPath}: the body {cust_ids, loan_id} becomes the loan's status —
     * {@code approved} (with its disbursement, who approved it and when), {@code received} or {@code submitted} —
     * or a 404 error.
     */
    public void status(Exchange exchange) throws SQLException {
        Message m = exchange.getMessage();
        Map<?, ?> key = m.getBody(Map.class);
        int custIds = (Integer) key.get("cust_ids");
        String loanId = (String) key.get("loan_id");
        Map<String, Object> body = new LinkedHashMap<>();
        try (Connection c = dataSource.get().getConnection()) {
            Map<String, Object> request = row(c, "SELECT loan_amount, first_name, last_name, country, phone FROM loanrequest"
                    + " WHERE cust_ids = ? AND loan_id = ?", custIds, loanId);
            String status = "received";
            if (request == null) {
                request = row(c, "SELECT loan_amount, first_name, last_name, country, phone FROM loan_submission"
                        + " WHERE cust_ids = ? AND loan_id = ?", custIds, loanId);
                status = "submitted";
            }
            if (request == null) {
                m.setHeader(STATUS, 404);
                m.setBody(Map.of("error", "unknown loan", "cust_ids", custIds, "loan_id", loanId));
                return;
            }
            Map<String, Object> disbursed = row(c, "SELECT loan_amount, monthly_inst, approved_by, approved_ts FROM loan_disburse"
                    + " WHERE cust_ids = ? AND loan_id = ?", custIds, loanId);
            body.put("status", disbursed == null ? status : "approved");
            body.put("cust_ids", custIds);
            body.put("loan_id", loanId);
            body.putAll(request);
            if (disbursed != null) {
                Map<String, Object> disbursement = new LinkedHashMap<>();
                disbursement.put("cust_ids", custIds);
                disbursement.put("loan_id", loanId);
                disbursement.put("loan_amount", disbursed.get("loan_amount"));
                disbursement.put("monthly_inst", disbursed.get("monthly_inst"));
                body.put("disbursement", disbursement);
                body.put("approved_by", disbursed.get("approved_by"));
                body.put("approved_at", disbursed.get("approved_ts"));
            }
        }
        m.setHeader(STATUS, 200);
        m.setBody(body);
    }

    static String location(int custIds, String loanId) {
        return "/api/loans/" + custIds + "/" + java.net.URLEncoder.encode(loanId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The one row of {@code sql} (parameters cust_ids, loan_id) as column → value, timestamps as ISO instants; or null. */
    private static Map<String, Object> row(Connection c, String sql, int custIds, String loanId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, custIds);
            ps.setString(2, loanId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.put(rs.getMetaData().getColumnLabel(i), v instanceof java.sql.Timestamp t
                            ? Instant.ofEpochMilli(t.getTime()).toString()
                            : v instanceof java.time.LocalDateTime l ? java.sql.Timestamp.valueOf(l).toInstant().toString() : v);
                }
                return row;
            }
        }
    }
}
