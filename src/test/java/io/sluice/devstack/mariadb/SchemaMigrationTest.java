package io.sluice.devstack.mariadb;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import io.sluice.devstack.DevStack;
import io.sluice.harness.SluiceStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * db/schema.sql brings a database made before a column existed up to date: loan_disburse created without
 * approved_by (issue 18's audit column) gets it, and running the script again changes nothing. In a scratch
 * database of the harness's MariaDB, dropped afterwards.
 */
@ExtendWith(SluiceStack.class)
class SchemaMigrationTest {

    @Test
    void anOlderLoanDisburseTableGetsTheAuditColumnAndTheScriptStaysIdempotent(DevStack stack) throws Exception {
        String db = "migration_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(stack.config().jdbcUrl(), EmbeddedMariaDb.ADMIN_USER,
                stack.config().accounts().adminPassword()); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE `" + db + "`");
            try {
                st.execute("USE `" + db + "`");
                // loan_disburse as the schema had it before issue 18, with a row approved then
                st.execute("CREATE TABLE loan_disburse (cust_ids INT NOT NULL, loan_id VARCHAR(64) NOT NULL, loan_amount INT NOT NULL,"
                        + " monthly_inst INT NOT NULL, approved_ts TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,"
                        + " published_ts TIMESTAMP NULL, PRIMARY KEY (cust_ids, loan_id))");
                st.execute("INSERT INTO loan_disburse (cust_ids, loan_id, loan_amount, monthly_inst) VALUES (1, 'OLD', 1000, 98)");
                assertThat(hasColumn(c, db, "loan_disburse", "approved_by")).isFalse();

                SqlScript.run(c, "db/schema.sql");
                assertThat(hasColumn(c, db, "loan_disburse", "approved_by")).isTrue();
                assertThat(hasColumn(c, db, "loan_submission", "submitted_by")).isTrue();
                assertThat(hasColumn(c, db, "dead_letter_action", "acted_by")).isTrue(); // the console's record (issue 22)
                SqlScript.run(c, "db/schema.sql"); // every start runs it again

                try (ResultSet rs = st.executeQuery("SELECT loan_amount, approved_by FROM loan_disburse WHERE loan_id = 'OLD'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(1000);
                    assertThat(rs.getString(2)).isNull(); // approved before anyone was recorded
                }
            } finally {
                st.execute("DROP DATABASE `" + db + "`");
            }
        }
    }

    private static boolean hasColumn(Connection c, String db, String table, String column) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = ? AND column_name = ?")) {
            ps.setString(1, db);
            ps.setString(2, table);
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }
}
