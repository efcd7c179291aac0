package io.sluice.loans;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Approving a loan, the same for Kafka and HTTP: look the request up, compute the instalment, record the
 * disbursement once (primary key cust_ids, loan_id), and say whether it still has to be published.
 *
 * <p>The disbursement event is published after the row is written and the row is then marked published
 * ({@link #markPublished}); a repeated approval publishes again only a row whose publication a crash cut
 * short, and only after {@link DisbursementTopic} found that the event did not reach Kafka before the crash. So:
 * one row and one event.
 */
public final class LoanApprovals {

    /** Header: the loan request exists. */
    public static final String FOUND = "sluiceLoanFound";
    /** Header: this approval created the disbursement (HTTP 201), rather than finding it (200). */
    public static final String CREATED = "sluiceDisbursementCreated";
    /** Header: the disbursement still has to go to Kafka. */
    public static final String UNPUBLISHED = "sluiceDisbursementUnpublished";
    /** Header: when the row was written (epoch ms, the database's clock). */
    static final String APPROVED_AT = "sluiceDisbursementApprovedAt";

    private final Supplier<DataSource> dataSource;
    private final Installment installment;
    private final DisbursementTopic published;
    private final io.sluice.db.SqlDialect dialect;

    /** @param dataSource looked up when first needed: the pooled bean is created after this class is wired */
    public LoanApprovals(Supplier<DataSource> dataSource, io.sluice.db.SqlDialect dialect, Installment installment,
            DisbursementTopic published) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.installment = installment;
        this.published = published;
    }

    /**
     * Route step: body {@code {cust_ids, loan_id, approved_by}} becomes the disbursement row; headers say what
     * happened. The row keeps the approver and time of the approval that created it: a repeated approval, whoever
     * sends it, changes neither.
     */
    public void approve(Exchange exchange) throws SQLException {
        Message m = exchange.getMessage();
        Map<?, ?> key = m.getBody(Map.class);
        int custIds = ((Number) key.get("cust_ids")).intValue();
        String loanId = (String) key.get("loan_id");
        String approvedBy = (String) key.get("approved_by");
        try (Connection c = dataSource.get().getConnection()) {
            Long amount = requestedAmount(c, custIds, loanId);
            m.setHeader(FOUND, amount != null);
            if (amount == null) {
                m.setBody(Map.of("error", "unknown loan", "cust_ids", custIds, "loan_id", loanId));
                return;
            }
            int monthly = installment.monthly(amount);
            boolean created;
            try (PreparedStatement ps = c.prepareStatement(
                    dialect.statement(io.sluice.db.SqlDialect.LOAN_DISBURSE_INSERT))) {
                ps.setInt(1, custIds);
                ps.setString(2, loanId);
                ps.setLong(3, amount);
                ps.setInt(4, monthly);
                ps.setString(5, approvedBy);
                ps.executeUpdate();
                created = true;
            } catch (SQLException e) {
                if (!dialect.isDuplicateKey(e)) {
                    throw e;
                }
                created = false; // approved before: the primary key keeps it to one row
            }
            m.setHeader(CREATED, created);
            readBack(c, custIds, loanId, m);
            if (!created && Boolean.TRUE.equals(m.getHeader(UNPUBLISHED, Boolean.class))
                    && published.holds(custIds, loanId, m.getHeader(APPROVED_AT, Long.class))) {
                // sent before a crash that came before the mark: mark it now instead of sending it again
                markPublished(exchange);
                m.setHeader(UNPUBLISHED, false);
            }
        }
    }

    /** Route step for Kafka approvals: an unknown loan is an error, so the route's redelivery waits for it. */
    public void approveKnown(Exchange exchange) throws SQLException, UnknownLoanException {
        approve(exchange);
        if (!exchange.getMessage().getHeader(FOUND, Boolean.class)) {
            Map<?, ?> body = exchange.getMessage().getBody(Map.class);
            throw new UnknownLoanException("no loan request " + body.get("loan_id") + " for customer " + body.get("cust_ids"));
        }
    }

    /** Route step after the event is acknowledged. */
    public void markPublished(Exchange exchange) throws SQLException {
        Map<?, ?> row = exchange.getMessage().getHeader("sluiceDisbursementRow", Map.class);
        try (Connection c = dataSource.get().getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE loan_disburse SET published_ts = CURRENT_TIMESTAMP WHERE cust_ids = ? AND loan_id = ? AND published_ts IS NULL")) {
            ps.setInt(1, ((Number) row.get("cust_ids")).intValue());
            ps.setString(2, (String) row.get("loan_id"));
            ps.executeUpdate();
        }
    }

    private static Long requestedAmount(Connection c, int custIds, String loanId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT loan_amount FROM loanrequest WHERE cust_ids = ? AND loan_id = ?")) {
            ps.setInt(1, custIds);
            ps.setString(2, loanId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static void readBack(Connection c, int custIds, String loanId, Message m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT cust_ids, loan_id, loan_amount, monthly_inst, published_ts, approved_ts, approved_by FROM loan_disburse WHERE cust_ids = ? AND loan_id = ?")) {
            ps.setInt(1, custIds);
            ps.setString(2, loanId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("cust_ids", rs.getInt(1));
                row.put("loan_id", rs.getString(2));
                row.put("loan_amount", rs.getLong(3));
                row.put("monthly_inst", rs.getInt(4));
                row.put("approved_by", rs.getString(7));
                row.put("approved_at", Instant.ofEpochMilli(rs.getTimestamp(6).getTime()).toString());
                m.setHeader(UNPUBLISHED, rs.getTimestamp(5) == null);
                m.setHeader(APPROVED_AT, rs.getTimestamp(6).getTime());
                m.setHeader("sluiceDisbursementRow", row);
                m.setBody(row);
            }
        }
    }
}
