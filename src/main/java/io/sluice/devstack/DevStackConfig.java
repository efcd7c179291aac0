package io.sluice.devstack;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the embedded services listen and keep their data, and the database accounts they create.
 * Read from the same properties as the rest of Sluice ({@code sluice.devstack.*}, {@code sluice.db.*}).
 */
public record DevStackConfig(
        Path dataDir,
        int kafkaPort,
        int kafkaControllerPort,
        int kafkaPartitions,
        int mariaDbPort,
        int elasticsearchPort,
        String elasticsearchHeap,
        int slackPort,
        DbAccounts accounts,
        String database,
        int postgresPort) {

    /** sluice.devstack.database: which embedded database the stack runs. */
    public static final String MARIADB = "mariadb";
    public static final String POSTGRES = "postgres";

    /** Accounts the embedded MariaDB gets: an admin for schema set-up, the app (DML only) and CDC (replication). */
    public record DbAccounts(String database, String adminPassword,
                             String appUser, String appPassword,
                             String cdcUser, String cdcPassword) {
    }

    public static DevStackConfig from(Function<String, Optional<String>> props) {
        Lookup p = new Lookup(props);
        return new DevStackConfig(
                Path.of(p.get("sluice.devstack.data-dir", "data")).toAbsolutePath(),
                p.getInt("sluice.devstack.kafka.port", 9092),
                p.getInt("sluice.devstack.kafka.controller-port", 9093),
                p.getInt("sluice.devstack.kafka.partitions", 3),
                p.getInt("sluice.devstack.mariadb.port", 3307),
                p.getInt("sluice.devstack.elasticsearch.port", 9200),
                p.get("sluice.devstack.elasticsearch.heap", "512m"),
                p.getInt("sluice.devstack.slack.port", 8089),
                new DbAccounts(
                        p.get("sluice.db.name", "demo"),
                        p.get("sluice.devstack.mariadb.admin.password", "sluice-root"),
                        p.get("sluice.db.user", "sluice"),
                        p.get("sluice.db.password", "sluice"),
                        p.get("sluice.cdc.user", "debezium"),
                        p.get("sluice.cdc.password", "dbz")),
                database(p.get("sluice.devstack.database", MARIADB)),
                p.getInt("sluice.devstack.postgres.port", 5433));
    }

    private static String database(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (!n.equals(MARIADB) && !n.equals(POSTGRES)) {
            throw new IllegalArgumentException("sluice.devstack.database must be mariadb or postgres, not " + name);
        }
        return n;
    }

    public boolean postgres() {
        return POSTGRES.equals(database);
    }

    /** The same stack running PostgreSQL instead of MariaDB. */
    public DevStackConfig withPostgres() {
        return new DevStackConfig(dataDir, kafkaPort, kafkaControllerPort, kafkaPartitions, mariaDbPort,
                elasticsearchPort, elasticsearchHeap, slackPort, accounts, POSTGRES, postgresPort);
    }

    /** The same stack on free ports under {@code dataDir}: what the test harness runs beside any dev instance. */
    public static DevStackConfig onFreePorts(Path dataDir) {
        DevStackConfig defaults = from(name -> Optional.empty());
        return new DevStackConfig(dataDir.toAbsolutePath(), Ports.free(), Ports.free(), defaults.kafkaPartitions(),
                Ports.free(), Ports.free(), defaults.elasticsearchHeap(), Ports.free(), defaults.accounts(),
                defaults.database(), Ports.free());
    }

    public String kafkaBootstrap() {
        return "localhost:" + kafkaPort;
    }

    public String jdbcUrl() {
        return postgres()
                ? "jdbc:postgresql://localhost:" + postgresPort + "/" + accounts.database()
                : "jdbc:mariadb://localhost:" + mariaDbPort + "/" + accounts.database();
    }

    public String elasticsearchUrl() {
        return "http://localhost:" + elasticsearchPort;
    }

    public String slackUrl() {
        return "http://localhost:" + slackPort;
    }

    private record Lookup(Function<String, Optional<String>> props) {
        String get(String name, String fallback) {
            return props.apply(name).filter(v -> !v.isBlank()).map(String::trim).orElse(fallback);
        }

        int getInt(String name, int fallback) {
            return Integer.parseInt(get(name, Integer.toString(fallback)));
        }
    }
}
