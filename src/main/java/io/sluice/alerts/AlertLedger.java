package io.sluice.alerts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.apache.camel.Exchange;

/**
 * Which alerts went out, in the database (table slack_alert), so that each rating_id is posted at most once
 * across re-deliveries, restarts and instances. An idempotent repository records a key either before the post
 * (a crash then loses the alert without a trace) or after it (a crash then posts it twice); the ledger also
 * records that a post is in flight:
 * <pre>
 *   (new) ─────────(claimed)──────────┐
 *                                     ▼
 *   pending ──(about to call Slack)──▶ sending ──(2xx)──▶ sent
 *      ▲                                  │
 *      └────(Slack said no: 429, 5xx)─────┘         dead-lettered ──▶ failed
 * </pre>
 * A re-delivered alert found {@code sent} or {@code failed} is skipped; found {@code sending}, Sluice stopped
 * during the HTTP call, so nobody knows whether Slack has it: it is dead-lettered with that reason rather than
 * risk a second post.
 */
public final class AlertLedger {

    /** Header with the outcome of {@link #claim}. */
    public static final String STATE = "sluiceAlertState";
    /** Exchange property: {@link #claim} inserted the row as sending, so the first {@link #sending} has nothing to do. */
    static final String MARKED_SENDING = "sluiceAlertMarkedSending";
    private final java.util.function.Supplier<DataSource> dataSource;

    /** @param dataSource looked up when first used: camel-main binds {@code #dataSource} after configuration classes */
    private final io.sluice.db.SqlDialect dialect;

    public AlertLedger(java.util.function.Supplier<DataSource> dataSource, io.sluice.db.SqlDialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /**
     * Sets {@link #STATE}: "new" (post it), "done" (already posted or dead-lettered), "interrupted". A rating seen
     * for the first time is inserted straight as {@code sending}: one statement (and one commit) for the common
     * case instead of a look-up, an insert as pending and the update to sending — the alert path's service time,
     * and so its queueing tail at a burst of alerts (issue 21). Nothing runs between this insert and the HTTP call
     * but the rendering of the text, so a crash there counts as "interrupted" like one during the call.
     */
    public void claim(Exchange exchange) throws SQLException {
        String id = exchange.getMessage().getHeader(AlertText.RATING_ID, String.class);
        try (Connection c = dataSource.get().getConnection()) {
            try (PreparedStatement insert = c.prepareStatement(
                    dialect.statement(io.sluice.db.SqlDialect.SLACK_ALERT_INSERT))) {
                insert.setString(1, id);
                if (insert.executeUpdate() == 1) {
                    exchange.setProperty(MARKED_SENDING, Boolean.TRUE);
                    exchange.getMessage().setHeader(STATE, "new");
                    return;
                }
            }
            String state = null;
            try (PreparedStatement select = c.prepareStatement("SELECT state FROM slack_alert WHERE rating_id = ?")) {
                select.setString(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        state = rs.getString(1);
                    }
                }
            }
            exchange.getMessage().setHeader(STATE, switch (state == null ? "pending" : state) {
                case "pending" -> "new";
                case "sending" -> "interrupted";
                default -> "done";
            });
        }
    }

    /** Before every call to Slack; the first one finds the row already marked by {@link #claim}. */
    public void sending(Exchange exchange) throws SQLException {
        if (exchange.removeProperty(MARKED_SENDING) != null) {
            return;
        }
        set(exchange, "sending");
    }

    public void sent(Exchange exchange) throws SQLException {
        set(exchange, "sent");
    }

    /** Slack answered and did not take it: safe to try again. */
    public void pending(Exchange exchange) throws SQLException {
        set(exchange, "pending");
    }

    public void failed(Exchange exchange) throws SQLException {
        set(exchange, "failed");
    }

    private void set(Exchange exchange, String state) throws SQLException {
        String id = exchange.getMessage().getHeader(AlertText.RATING_ID, String.class);
        if (id == null) {
            return; // not an alert (refused before the ledger)
        }
        try (Connection c = dataSource.get().getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE slack_alert SET state = ? WHERE rating_id = ?")) {
            update.setString(1, state);
            update.setString(2, id);
            update.executeUpdate();
        }
    }
}
