package io.sluice.devstack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.sluice.harness.SluiceStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(SluiceStack.class)
class EmbeddedMariaDbTest {

    @Test
    void demoCustomersCoverEveryClubStatusFiveTimes(DevStack stack) throws Exception {
        try (Connection c = app(stack); Statement st = c.createStatement();
             // ids 1-20 are the seeded demo customers; other tests add their own rows beside them
             ResultSet rs = st.executeQuery("SELECT club_status, COUNT(*) FROM customers WHERE id <= 20 GROUP BY club_status")) {
            java.util.Map<String, Integer> counts = new java.util.HashMap<>();
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
            assertThat(counts).containsOnly(java.util.Map.entry("platinum", 5), java.util.Map.entry("gold", 5),
                    java.util.Map.entry("silver", 5), java.util.Map.entry("bronze", 5));
        }
    }

    @Test
    void appAccountInsertsAndSelectsButCannotChangeTheSchema(DevStack stack) throws Exception {
        String id = UUID.randomUUID().toString();
        try (Connection c = app(stack)) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sales (event_id, item, amount, time) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, "a");
                ps.setLong(3, 20);
                ps.setLong(4, 1);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT item, amount FROM sales WHERE event_id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("a");
                    assertThat(rs.getLong(2)).isEqualTo(20);
                }
            }
            assertThatThrownBy(() -> c.createStatement().execute("CREATE TABLE intruder (x INT)"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("denied");
        }
    }

    @Test
    void binlogIsOnInRowFormatForCdc(DevStack stack) throws Exception {
        DevStackConfig cfg = stack.config();
        try (Connection c = DriverManager.getConnection(cfg.jdbcUrl(), cfg.accounts().cdcUser(), cfg.accounts().cdcPassword());
             Statement st = c.createStatement()) {
            assertThat(variable(st, "log_bin")).isEqualTo("ON");
            assertThat(variable(st, "binlog_format")).isEqualTo("ROW");
            assertThat(variable(st, "binlog_row_image")).isEqualTo("FULL");
            // the CDC account can read the binlog position, which Debezium needs
            try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    private static String variable(Statement st, String name) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW VARIABLES LIKE '" + name + "'")) {
            assertThat(rs.next()).as(name).isTrue();
            return rs.getString(2);
        }
    }

    private static Connection app(DevStack stack) throws SQLException {
        DevStackConfig cfg = stack.config();
        return DriverManager.getConnection(cfg.jdbcUrl(), cfg.accounts().appUser(), cfg.accounts().appPassword());
    }
}
