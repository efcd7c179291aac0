package io.sluice.loans;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.apache.camel.Exchange;

/**
 * The console's loans ({@code GET /api/console/loans}): the newest loan requests — received (table loanrequest) or
 * only submitted over HTTP so far (loan_submission) — with their status and, once approved, the disbursement with
 * who approved it and when. Approving is the loans API's own {@code POST /api/loans/{custId}/{loanId}/approval},
 * which the page calls: one approval logic.
 */
public final class LoansConsole {

    static final int NEWEST = 50;
    private final Supplier<DataSource> dataSource;

    public LoansConsole(Supplier<DataSource> dataSource) {
        this.dataSource = dataSource;
    }

    public Map<String, Object> list(Exchange exchange) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = dataSource.get().getConnection()) {
            rows.addAll(rows(c, "SELECT r.cust_ids, r.loan_id, r.loan_amount, r.first_name, r.last_name, r.country, r.received_ts,"
                    + " d.monthly_inst, d.approved_by, d.approved_ts FROM loanrequest r LEFT JOIN loan_disburse d"
                    + " ON d.cust_ids = r.cust_ids AND d.loan_id = r.loan_id ORDER BY r.received_ts DESC, r.loan_id LIMIT ?", "received"));
            rows.addAll(rows(c, "SELECT s.cust_ids, s.loan_id, s.loan_amount, s.first_name, s.last_name, s.country, s.submitted_ts,"
                    + " NULL, NULL, NULL FROM loan_submission s LEFT JOIN loanrequest r ON r.cust_ids = s.cust_ids AND r.loan_id = s.loan_id"
                    + " WHERE r.loan_id IS NULL ORDER BY s.submitted_ts DESC, s.loan_id LIMIT ?", "submitted"));
        }
        rows.sort((a, b) -> String.valueOf(b.get("at")).compareTo(String.valueOf(a.get("at"))));
        return Map.of("loans", rows.size() > NEWEST ? rows.subList(0, NEWEST) : rows);
    }

    private static List<Map<String, Object>> rows(Connection c, String sql, String status) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, NEWEST);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    Timestamp approved = rs.getTimestamp(10);
                    row.put("status", approved != null ? "approved" : status);
                    row.put("cust_ids", rs.getInt(1));
                    row.put("loan_id", rs.getString(2));
                    row.put("loan_amount", rs.getInt(3));
                    row.put("name", (rs.getString(4) == null ? "" : rs.getString(4)) + " " + (rs.getString(5) == null ? "" : rs.getString(5)));
                    row.put("country", rs.getString(6));
                    row.put("at", rs.getTimestamp(7).toInstant().toString());
                    if (approved != null) {
                        row.put("monthly_inst", rs.getInt(8));
                        row.put("approved_by", rs.getString(9));
                        row.put("approved_at", approved.toInstant().toString());
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }
}
