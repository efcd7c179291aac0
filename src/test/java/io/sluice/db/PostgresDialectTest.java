package io.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;

import io.sluice.alerts.AlertLedger;
import io.sluice.alerts.AlertText;
import io.sluice.devstack.DevStackConfig;
import io.sluice.devstack.Ports;
import io.sluice.devstack.postgres.EmbeddedPostgres;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Every PostgreSQL statement, run as the app account on a real PostgreSQL with the demo schema: a repeated write
 * changes nothing where MariaDB's changed nothing, and the summary upsert replaces the window's figures.
 */
class PostgresDialectTest {

    private static final DevStackConfig.DbAccounts ACCOUNTS = DevStackConfig.from(n -> Optional.empty()).accounts();
    private static final SqlDialect PG = SqlDialect.forUrl("jdbc:postgresql://localhost/demo");

    @TempDir
    static Path home;
    private static EmbeddedPostgres pg;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        port = Ports.free();
        pg = EmbeddedPostgres.start(home, port, ACCOUNTS);
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @Test
    void isChosenFromTheUrl() {
        assertThat(PG.name()).isEqualTo("postgres");
        assertThat(SqlDialect.forUrl("jdbc:mariadb://localhost:3307/demo").name()).isEqualTo("mariadb");
        assertThat(SqlDialect.forUrl("jdbc:mysql://localhost/demo").name()).isEqualTo("mariadb");
    }

    @Test
    void salesAndLoanRequestsAreWrittenOnce() throws SQLException {
        try (Connection c = app()) {
            for (int i = 0; i < 2; i++) {
                run(c, SqlDialect.SALES_INSERT, "e-1", "a", 10L, 100L);
                run(c, SqlDialect.LOANREQUEST_INSERT, 7, 500, "L-1", "Ada", "Q", "UK", "123");
                run(c, SqlDialect.LOAN_SUBMISSION_INSERT, 7, "L-1", 500, "Ada", "Q", "UK", "123", "submitter");
                run(c, SqlDialect.CDC_SNAPSHOT_INSERT, "asgard.demo.CUSTOMERS");
                run(c, SqlDialect.SLACK_ALERT_INSERT, "r-1");
            }
            assertThat(count(c, "sales")).isEqualTo(1);
            assertThat(count(c, "loanrequest")).isEqualTo(1);
            assertThat(count(c, "loan_submission")).isEqualTo(1);
            assertThat(count(c, "cdc_snapshot")).isEqualTo(1);
            assertThat(count(c, "slack_alert")).isEqualTo(1);
        }
    }

    @Test
    void aSecondDisbursementIsRecognisedAsADuplicate() throws SQLException {
        try (Connection c = app()) {
            run(c, SqlDialect.LOAN_DISBURSE_INSERT, 9, "L-9", 1200, 117, "approver");
            assertThatThrownBy(() -> run(c, SqlDialect.LOAN_DISBURSE_INSERT, 9, "L-9", 1200, 117, "other"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(PG.isDuplicateKey(e)).isTrue());
        }
    }

    @Test
    void theSummaryUpsertKeepsTheLatestFigures() throws SQLException {
        try (Connection c = app()) {
            run(c, SqlDialect.SALES_SUMMARY_UPSERT, 0L, 5L, "a", 10L, 1L);
            run(c, SqlDialect.SALES_SUMMARY_UPSERT, 0L, 5L, "a", 30L, 2L);
            try (PreparedStatement ps = c.prepareStatement("SELECT total_amount, count FROM sales_summary WHERE item = 'a'");
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(30);
                assertThat(rs.getLong(2)).isEqualTo(2);
                assertThat(rs.next()).isFalse();
            }
        }
    }

    /** The CDC watermark is one row per topic whose token each start replaces (a repeated token would not be news). */
    @Test
    void theCdcWatermarkKeepsOneRowWithTheLatestToken() throws SQLException {
        try (Connection c = app()) {
            run(c, SqlDialect.CDC_WATERMARK_UPSERT, "asgard.demo.CUSTOMERS", "first");
            run(c, SqlDialect.CDC_WATERMARK_UPSERT, "asgard.demo.CUSTOMERS", "second");
            try (PreparedStatement ps = c.prepareStatement("SELECT token FROM cdc_watermark");
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("second");
                assertThat(rs.next()).isFalse();
            }
        }
    }

    /**
     * The alert ledger's statements on PostgreSQL (the VIP alert flow itself runs on MariaDB in VipAlertsTest; its
     * only database-specific part is this ledger): first claim marks the rating sending, a second finds it in
     * flight, a Slack refusal makes it claimable again, and a sent one is done.
     */
    @Test
    void theAlertLedgerPostsEachRatingOnce() throws SQLException {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/" + ACCOUNTS.database());
        ds.setUser(ACCOUNTS.appUser());
        ds.setPassword(ACCOUNTS.appPassword());
        AlertLedger ledger = new AlertLedger(() -> ds, PG);
        DefaultCamelContext camel = new DefaultCamelContext();
        Supplier<Exchange> alert = () -> {
            Exchange e = new DefaultExchange(camel);
            e.getMessage().setHeader(AlertText.RATING_ID, "ledger-1");
            return e;
        };
        Exchange first = alert.get();
        ledger.claim(first);
        assertThat(first.getMessage().getHeader(AlertLedger.STATE)).isEqualTo("new");
        assertThat(state("ledger-1")).isEqualTo("sending");
        ledger.sending(first); // the first call to Slack: already marked by the claim
        Exchange crashed = alert.get();
        ledger.claim(crashed);
        assertThat(crashed.getMessage().getHeader(AlertLedger.STATE)).isEqualTo("interrupted");

        ledger.pending(first); // Slack said 429: safe to try again
        Exchange again = alert.get();
        ledger.claim(again);
        assertThat(again.getMessage().getHeader(AlertLedger.STATE)).isEqualTo("new");
        assertThat(state("ledger-1")).isEqualTo("pending");
        ledger.sending(again);
        assertThat(state("ledger-1")).isEqualTo("sending");
        ledger.sent(again);
        Exchange redelivered = alert.get();
        ledger.claim(redelivered);
        assertThat(redelivered.getMessage().getHeader(AlertLedger.STATE)).isEqualTo("done");
        assertThat(state("ledger-1")).isEqualTo("sent");
    }

    private static String state(String ratingId) throws SQLException {
        try (Connection c = app();
             PreparedStatement ps = c.prepareStatement("SELECT state FROM slack_alert WHERE rating_id = ?")) {
            ps.setString(1, ratingId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Camel's named parameters (:#name) become JDBC's positional ones, in their order. */
    private static void run(Connection c, String key, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PG.statement(key).replaceAll(":#\\w+", "?"))) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection app() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + ACCOUNTS.database(),
                ACCOUNTS.appUser(), ACCOUNTS.appPassword());
    }
}
