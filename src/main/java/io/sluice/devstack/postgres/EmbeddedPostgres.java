package io.sluice.devstack.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.sluice.devstack.DevStackConfig.DbAccounts;
import io.sluice.devstack.StaleProcess;
import io.sluice.devstack.mariadb.SqlScript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL (zonky's binaries from Maven Central, nothing installed) with logical decoding on, the demo
 * tables in database {@code demo}'s default schema, the app account (DML on those tables only) and the CDC account
 * (REPLICATION). Data under {@code home/data}, kept across restarts.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String SUPERUSER = "postgres";
    private static final String[] TABLES = {"customers", "loanrequest", "loan_disburse", "loan_submission", "sales",
            "sales_summary", "cdc_snapshot", "cdc_watermark", "slack_alert", "dead_letter_action"};

    private static final String PUBLICATION = "sluice_customers";

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg) {
        this.pg = pg;
    }

    public static EmbeddedPostgres start(Path home, int port, DbAccounts accounts) throws Exception {
        Path data = home.resolve("data");
        Files.createDirectories(home.resolve("bin"));
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(false) // the demo data survives restarts
                .setOverrideWorkingDirectory(home.resolve("bin").toFile())
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "4")
                .setServerConfig("max_wal_senders", "4")
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection()) {
            createDatabase(c, accounts);
        }
        try (Connection c = pg.getDatabase(SUPERUSER, accounts.database()).getConnection()) {
            prepareSchema(c, accounts);
        } catch (SQLException e) {
            pg.close();
            throw e;
        }
        return new EmbeddedPostgres(pg);
    }

    /** Stops a postgres that a killed Sluice left running on this data directory (first line of postmaster.pid). */
    public static void stopLeftover(Path home) {
        Path pidFile = home.resolve("data").resolve("postmaster.pid");
        try {
            if (Files.isRegularFile(pidFile)) {
                String first = Files.readAllLines(pidFile).get(0).trim();
                Path pidOnly = home.resolve("postgres.pid");
                Files.writeString(pidOnly, first);
                StaleProcess.stopIfRunning(pidOnly, "postgres");
            }
        } catch (java.io.IOException | IndexOutOfBoundsException e) {
            LOG.warn("Could not read {}: {}", pidFile, e.toString());
        }
    }

    private static void createDatabase(Connection c, DbAccounts accounts) throws SQLException {
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, accounts.database());
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        if (!exists) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + ident(c, accounts.database()));
            }
        }
    }

    /** Idempotent: runs at every start; demo customers are seeded only when the table is first created. */
    private static void prepareSchema(Connection c, DbAccounts accounts) throws SQLException {
        boolean fresh = !tableExists(c, "customers");
        SqlScript.run(c, "db/schema-postgres.sql");
        try (Statement st = c.createStatement()) {
            if (fresh) {
                SqlScript.run(c, "db/demo-customers.sql");
                // the seed names its ids: move the sequence past them, or the next insert would clash
                st.execute("SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT MAX(id) FROM customers))");
                LOG.info("Created the {} tables and seeded demo customers", accounts.database());
            }
            String app = ident(c, accounts.appUser());
            String cdc = ident(c, accounts.cdcUser());
            createRole(c, st, accounts.appUser(), "LOGIN", accounts.appPassword());
            createRole(c, st, accounts.cdcUser(), "LOGIN REPLICATION", accounts.cdcPassword());
            String db = ident(c, accounts.database());
            st.execute("GRANT CONNECT ON DATABASE " + db + " TO " + app + ", " + cdc);
            // before PostgreSQL 15 every role may create tables in public: the app account gets DML only
            st.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            st.execute("GRANT USAGE ON SCHEMA public TO " + app + ", " + cdc);
            st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + String.join(", ", TABLES) + " TO " + app);
            st.execute("GRANT USAGE ON SEQUENCE customers_id_seq TO " + app);
            // Debezium reads the snapshot; creating the publication needs the table's owner or CREATE, see the CDC route
            st.execute("GRANT SELECT ON customers, cdc_watermark TO " + cdc);
            st.execute("GRANT CREATE ON DATABASE " + db + " TO " + cdc);
            // CREATE PUBLICATION ... FOR TABLE needs the table's owner: made here, found by Debezium (the default
            // sluice.cdc.postgres.publication); Debezium creates the replication slot itself (REPLICATION suffices)
            // with the CDC leader's start-up watermark (see CdcProgress); a data directory from before it gets it added
            if (!exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", PUBLICATION)) {
                st.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE customers, cdc_watermark");
            } else if (!exists(c, "SELECT 1 FROM pg_publication_tables WHERE tablename = 'cdc_watermark' AND pubname = ?",
                    PUBLICATION)) {
                st.execute("ALTER PUBLICATION " + PUBLICATION + " ADD TABLE cdc_watermark");
            }
        }
    }

    private static void createRole(Connection c, Statement st, String role, String options, String password) throws SQLException {
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        // CREATE/ALTER ROLE take no bind parameters: the literal is quoted by the server (quote_literal)
        st.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + ident(c, role) + " " + options + " PASSWORD " + literal(c, password));
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String ident(Connection c, String name) throws SQLException {
        return quoted(c, "SELECT quote_ident(?)", name);
    }

    private static String literal(Connection c, String value) throws SQLException {
        return quoted(c, "SELECT quote_literal(?)", value);
    }

    private static String quoted(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    public int port() {
        return pg.getPort();
    }

    @Override
    public void close() throws Exception {
        pg.close();
    }
}
