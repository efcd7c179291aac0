package io.sluice.db;

import java.util.Map;

/**
 * PostgreSQL: {@code ON CONFLICT} instead of {@code ON DUPLICATE KEY UPDATE} / {@code INSERT IGNORE}. An insert whose
 * key is taken changes nothing ({@code DO NOTHING}) exactly where MariaDB's self-assignment changed nothing.
 */
public final class PostgresDialect implements SqlDialect {

    static final PostgresDialect INSTANCE = new PostgresDialect();

    private static final Map<String, String> STATEMENTS = Map.of(
            SALES_INSERT, "INSERT INTO sales (event_id, item, amount, time) VALUES (:#event_id, :#item, :#amount, :#time)"
                    + " ON CONFLICT (event_id) DO NOTHING",
            SALES_SUMMARY_UPSERT, "INSERT INTO sales_summary (window_start, window_end, item, total_amount, count)"
                    + " VALUES (:#window_start, :#window_end, :#item, :#total_amount, :#count)"
                    + " ON CONFLICT (window_start, item) DO UPDATE SET window_end = EXCLUDED.window_end,"
                    + " total_amount = EXCLUDED.total_amount, count = EXCLUDED.count",
            LOANREQUEST_INSERT, "INSERT INTO loanrequest (cust_ids, loan_amount, loan_id, first_name, last_name, country, phone)"
                    + " VALUES (:#cust_ids, :#loan_amount, :#loan_id, :#first_name, :#last_name, :#country, :#phone)"
                    + " ON CONFLICT (cust_ids, loan_id) DO NOTHING",
            LOAN_SUBMISSION_INSERT, "INSERT INTO loan_submission (cust_ids, loan_id, loan_amount, first_name,"
                    + " last_name, country, phone, submitted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cust_ids, loan_id) DO NOTHING",
            // a plain insert: the caller tells a first approval from a repeated one by the duplicate-key error
            LOAN_DISBURSE_INSERT, "INSERT INTO loan_disburse (cust_ids, loan_id, loan_amount, monthly_inst, approved_by) VALUES (?, ?, ?, ?, ?)",
            CDC_SNAPSHOT_INSERT, "INSERT INTO cdc_snapshot (topic) VALUES (?) ON CONFLICT (topic) DO NOTHING",
            SLACK_ALERT_INSERT, "INSERT INTO slack_alert (rating_id, state) VALUES (?, 'sending') ON CONFLICT (rating_id) DO NOTHING",
            CDC_WATERMARK_UPSERT, "INSERT INTO cdc_watermark (topic, token) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET token = EXCLUDED.token");

    private PostgresDialect() {
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public Map<String, String> statements() {
        return STATEMENTS;
    }

    @Override
    public String schemaResource() {
        return "db/schema-postgres.sql";
    }
}
