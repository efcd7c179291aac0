package io.sluice.db;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.Map;

import org.apache.camel.CamelContext;

/**
 * The SQL that differs between the databases Sluice writes to, chosen from {@code sluice.db.url}: every statement
 * Sluice sends where MariaDB/MySQL and PostgreSQL disagree (upserts, schema, locks) is taken from here by key, so
 * the rest of the code and the route files stay database-neutral. Statements use parameters only.
 *
 * <p>Routes take a statement with the placeholder {@code {{dialect:<key>}}} ({@link DialectFunction}).
 */
public sealed interface SqlDialect permits MariaDbDialect, PostgresDialect {

    String SALES_INSERT = "sales-insert";
    String SALES_SUMMARY_UPSERT = "sales-summary-upsert";
    String LOANREQUEST_INSERT = "loanrequest-insert";
    String LOAN_SUBMISSION_INSERT = "loan-submission-insert";
    String LOAN_DISBURSE_INSERT = "loan-disburse-insert";
    String CDC_SNAPSHOT_INSERT = "cdc-snapshot-insert";
    String SLACK_ALERT_INSERT = "slack-alert-insert";
    String CDC_WATERMARK_UPSERT = "cdc-watermark-upsert";

    /** "mariadb" or "postgres". */
    String name();

    /** key → statement; every key above is present. */
    Map<String, String> statements();

    /** The schema script on the classpath (demo tables, idempotent). */
    String schemaResource();

    default String statement(String key) {
        String sql = statements().get(key);
        if (sql == null) {
            throw new IllegalArgumentException("No SQL statement '" + key + "' for " + name() + "; known: "
                    + statements().keySet());
        }
        return sql;
    }

    /** Whether the insert failed because the row's key is taken (MariaDB's driver and PostgreSQL's differ). */
    default boolean isDuplicateKey(SQLException e) {
        return duplicateKey(e);
    }

    /** The same, for code that does not know its dialect: each driver says it its own way, neither the other's. */
    static boolean duplicateKey(SQLException e) {
        return e instanceof SQLIntegrityConstraintViolationException || "23505".equals(e.getSQLState());
    }

    static SqlDialect forUrl(String jdbcUrl) {
        return jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:") ? PostgresDialect.INSTANCE : MariaDbDialect.INSTANCE;
    }

    static SqlDialect of(CamelContext context) {
        return forUrl(context.getPropertiesComponent().resolveProperty("sluice.db.url").orElse(null));
    }
}
