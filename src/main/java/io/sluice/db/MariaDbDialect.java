package io.sluice.db;

import java.util.Map;

/** MariaDB and MySQL 8: the statements Sluice used before there was a second dialect, unchanged. */
public final class MariaDbDialect implements SqlDialect {

    static final MariaDbDialect INSTANCE = new MariaDbDialect();

    private static final Map<String, String> STATEMENTS = Map.of(
            SALES_INSERT, "INSERT INTO sales (event_id, item, amount, time) VALUES (:#event_id, :#item, :#amount, :#time)"
                    + " ON DUPLICATE KEY UPDATE event_id = event_id",
            SALES_SUMMARY_UPSERT, "INSERT INTO sales_summary (window_start, window_end, item, total_amount, count)"
                    + " VALUES (:#window_start, :#window_end, :#item, :#total_amount, :#count)"
                    + " ON DUPLICATE KEY UPDATE window_end = VALUES(window_end), total_amount = VALUES(total_amount),"
                    + " count = VALUES(count)",
            LOANREQUEST_INSERT, "INSERT INTO loanrequest (cust_ids, loan_amount, loan_id, first_name, last_name, country, phone)"
                    + " VALUES (:#cust_ids, :#loan_amount, :#loan_id, :#first_name, :#last_name, :#country, :#phone)"
                    + " ON DUPLICATE KEY UPDATE cust_ids = cust_ids",
            LOAN_SUBMISSION_INSERT, "INSERT INTO loan_submission (cust_ids, loan_id, loan_amount, first_name,"
                    + " last_name, country, phone, submitted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE cust_ids = cust_ids",
            LOAN_DISBURSE_INSERT, "INSERT INTO loan_disburse (cust_ids, loan_id, loan_amount, monthly_inst, approved_by) VALUES (?, ?, ?, ?, ?)",
            CDC_SNAPSHOT_INSERT, "INSERT INTO cdc_snapshot (topic) VALUES (?) ON DUPLICATE KEY UPDATE topic = topic",
            SLACK_ALERT_INSERT, "INSERT IGNORE INTO slack_alert (rating_id, state) VALUES (?, 'sending')",
            CDC_WATERMARK_UPSERT, "INSERT INTO cdc_watermark (topic, token) VALUES (?, ?) ON DUPLICATE KEY UPDATE token = VALUES(token)");

    private MariaDbDialect() {
    }

    @Override
    public String name() {
        return "mariadb";
    }

    @Override
    public Map<String, String> statements() {
        return STATEMENTS;
    }

    @Override
    public String schemaResource() {
        return "db/schema.sql";
    }
}
