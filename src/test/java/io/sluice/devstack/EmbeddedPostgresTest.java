package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.sluice.devstack.DevStackConfig.DbAccounts;
import io.sluice.devstack.postgres.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL: logical decoding on, the demo data, accounts with the grants they need and no more. */
class EmbeddedPostgresTest {

    private static final DbAccounts ACCOUNTS = DevStackConfig.from(n -> java.util.Optional.empty()).accounts();

    @TempDir
    Path home;

    @Test
    void servesTheDemoDataToTheAppAndKeepsItAcrossARestart() throws Exception {
        int port = Ports.free();
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(home, port, ACCOUNTS)) {
            try (Connection c = app(port); Statement st = c.createStatement()) {
                assertThat(count(st, "SELECT COUNT(*) FROM customers")).isEqualTo(20);
                st.executeUpdate("INSERT INTO customers (first_name, club_status) VALUES ('New', 'gold')");
                // update_ts follows a change, as MariaDB's ON UPDATE CURRENT_TIMESTAMP; an UPDATE to the same values
                // or one that sets update_ts itself leaves it as given
                st.executeUpdate("UPDATE customers SET update_ts = TIMESTAMPTZ '2020-01-01 00:00:00+00' WHERE id = 1");
                st.executeUpdate("UPDATE customers SET club_status = club_status WHERE id = 1");
                assertThat(count(st, "SELECT EXTRACT(YEAR FROM update_ts) FROM customers WHERE id = 1")).isEqualTo(2020);
                st.executeUpdate("UPDATE customers SET club_status = 'bronze' WHERE id = 1");
                assertThat(count(st, "SELECT COUNT(*) FROM customers WHERE id = 1 AND update_ts > now() - INTERVAL '1 minute'"))
                        .isEqualTo(1);
                assertThatThrownBy(() -> st.execute("CREATE TABLE intruder (id INT)")).isInstanceOf(SQLException.class);
            }
            try (Connection c = DriverManager.getConnection(url(port), ACCOUNTS.cdcUser(), ACCOUNTS.cdcPassword());
                 Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                         "SELECT current_setting('wal_level'), rolreplication FROM pg_roles WHERE rolname = current_user")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("logical");
                assertThat(rs.getBoolean(2)).isTrue();
            }
        }
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(home, port, ACCOUNTS);
             Connection c = app(port); Statement st = c.createStatement()) {
            assertThat(count(st, "SELECT COUNT(*) FROM customers")).isEqualTo(21);
        }
    }

    private static Connection app(int port) throws SQLException {
        return DriverManager.getConnection(url(port), ACCOUNTS.appUser(), ACCOUNTS.appPassword());
    }

    private static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + ACCOUNTS.database();
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
