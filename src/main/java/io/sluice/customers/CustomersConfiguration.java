package io.sluice.customers;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.sluice.cluster.ClusterConfiguration;
import io.sluice.cluster.Leadership;
import io.sluice.ops.HealthChecks;
import io.sluice.ops.OnContextStarted;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.debezium.mysql.DebeziumMySqlComponent;
import org.apache.camel.component.debezium.mysql.configuration.MySqlConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires flows 1 and 2: the CDC progress bean the route reports to, the connector class ("auto" asks the
 * server), and the customer table with its readiness gate. Listed in {@code camel.main.configuration-classes},
 * after {@link ClusterConfiguration} (whether this instance leads CDC).
 */
public final class CustomersConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(CustomersConfiguration.class);
    static final String MARIADB_CONNECTOR = "io.debezium.connector.mariadb.MariaDbConnector";
    static final String MYSQL_CONNECTOR = "io.debezium.connector.mysql.MySqlConnector";

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent pc = context.getPropertiesComponent();
        boolean cdcEnabled = Boolean.parseBoolean(pc.resolveProperty("sluice.cdc.enabled").orElse("true"));
        Leadership leadership = context.getRegistry().lookupByNameAndType(ClusterConfiguration.CDC_LEADERSHIP, Leadership.class);
        if (leadership == null) {
            leadership = cdcEnabled ? Leadership.always() : Leadership.never();
        }
        CdcProgress cdc = new CdcProgress(pc.resolveProperty("sluice.cdc.topic-prefix").orElseThrow(), leadership,
                pc.resolveProperty("sluice.customers.topic").orElseThrow(),
                () -> context.getRegistry().lookupByNameAndType("dataSource", javax.sql.DataSource.class),
                io.sluice.db.SqlDialect.of(context));
        context.getRegistry().bind("cdcProgress", cdc);
        if (cdcEnabled) {
            if (!io.sluice.db.SqlDialect.of(context).name().equals("postgres")) {
                chooseConnector(pc); // asks a MariaDB/MySQL server which it is
            }
            withoutDeprecatedDefaults(context);
            offsetFileDirectory(pc);
            HealthChecks.register(context, cdc);
            if (io.sluice.db.SqlDialect.of(context).name().equals("postgres")) {
                registerSlotLag(context, new SlotLag(
                        () -> context.getRegistry().lookupByNameAndType("dataSource", javax.sql.DataSource.class),
                        pc.resolveProperty("sluice.cdc.postgres.slot").orElseThrow()));
            }
            context.addService(new CdcWatchdog(context, cdc, leadership, "customer-cdc",
                    Long.parseLong(pc.resolveProperty("sluice.cdc.watchdog-interval-ms").orElse("5000")),
                    Long.parseLong(pc.resolveProperty("sluice.cdc.restart-after-ms").orElse("15000"))), true, true);
        }

        List<String> gated = Arrays.stream(pc.resolveProperty("sluice.customers.gated-routes").orElse("").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        CustomerTable table = new CustomerTable(context,
                pc.resolveProperty("sluice.kafka.brokers").orElseThrow(),
                pc.resolveProperty("sluice.customers.topic").orElseThrow(),
                gated,
                sourceReady(cdcEnabled, leadership, cdc));
        context.getRegistry().bind("customerTable", table);
        context.addService(table, true, true);
        HealthChecks.register(context, table.healthCheck());
        context.getManagementStrategy().addEventNotifier(table.restartsReloadedRoutes());
        OnContextStarted.run(context, table::contextStarted);
    }

    /**
     * When the table may measure how far it must read: on the CDC leader once its snapshot has passed the route (so
     * a first start does not serve a half-written snapshot) and the stream has caught up with the source as it was
     * at start (so a restart does not serve rows whose later changes are still on their way); elsewhere once a leader
     * has recorded a complete snapshot on the topic (table cdc_snapshot) — but not before it is known which one this is.
     */
    private static BooleanSupplier sourceReady(boolean cdcEnabled, Leadership leadership, CdcProgress cdc) {
        if (!cdcEnabled) {
            return () -> true; // the topic is fed by something else (e.g. Kafka Connect): nothing of ours to wait for
        }
        return () -> leadership.isDecided() && (leadership.isLeader()
                ? cdc.snapshotDelivered() && cdc.caughtUpWithSource() : cdc.snapshotRecordedByLeader());
    }

    /**
     * Kafka's file offset store writes its file but does not make its directory. On MariaDB the schema-history file
     * beside it happened to make it; PostgreSQL has no schema history, so the first offset flush failed there.
     */
    private static void offsetFileDirectory(PropertiesComponent pc) throws java.io.IOException {
        if (pc.resolveProperty("sluice.cdc.offset-storage").orElse("").endsWith("FileOffsetBackingStore")) {
            java.nio.file.Path parent = java.nio.file.Path.of(pc.resolveProperty("sluice.cdc.offset-file").orElseThrow())
                    .toAbsolutePath().getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
        }
    }

    /** {@code sluice_cdc_slot_lag_bytes}: WAL the server keeps for the CDC slot (-1 while there is no slot). */
    private static void registerSlotLag(CamelContext context, SlotLag lag) {
        OnContextStarted.run(context, () -> {
            io.micrometer.core.instrument.MeterRegistry registry = context.getRegistry()
                    .lookupByNameAndType("metricsRegistry", io.micrometer.core.instrument.MeterRegistry.class);
            if (registry != null) {
                io.micrometer.core.instrument.Gauge.builder("sluice.cdc.slot.lag.bytes", lag, SlotLag::bytes)
                        .description("bytes of WAL PostgreSQL keeps for the CDC replication slot beyond its confirmed position")
                        .baseUnit("bytes").strongReference(true).register(registry);
            }
        });
    }

    /** MariaDB needs Debezium's MariaDB connector (GTIDs differ); "auto" asks the server which it is. */
    /**
     * Camel's Debezium configuration sets three options by default that Debezium and Kafka Connect only warn about at
     * every start: {@code internal.key/value.converter} (removed in Kafka 3.0, "no effect") and the deprecated
     * {@code event.deserialization.failure.handling.mode} (its successor's default is the same, fail). Endpoints copy
     * the component's configuration, so one without those three leaves them out and nothing else changes.
     */
    private static void withoutDeprecatedDefaults(CamelContext context) {
        MySqlConnectorEmbeddedDebeziumConfiguration config = new MySqlConnectorEmbeddedDebeziumConfiguration();
        config.setInternalKeyConverter(null);
        config.setInternalValueConverter(null);
        config.setEventDeserializationFailureHandlingMode(null);
        context.getComponent("debezium-mysql", DebeziumMySqlComponent.class).setConfiguration(config);
    }

    private static void chooseConnector(PropertiesComponent pc) throws Exception {
        String configured = pc.resolveProperty("sluice.cdc.connector-class").orElse("auto").trim();
        if (!configured.equals("auto")) {
            return;
        }
        String url = "jdbc:mariadb://" + pc.resolveProperty("sluice.cdc.host").orElseThrow() + ":"
                + pc.resolveProperty("sluice.cdc.port").orElseThrow() + "/";
        try (Connection c = DriverManager.getConnection(url, pc.resolveProperty("sluice.cdc.user").orElseThrow(),
                pc.resolveProperty("sluice.cdc.password").orElseThrow());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT VERSION()")) {
            rs.next();
            String version = rs.getString(1);
            String connector = version.toLowerCase().contains("mariadb") ? MARIADB_CONNECTOR : MYSQL_CONNECTOR;
            LOG.info("CDC source is {} {}: using {}", version.toLowerCase().contains("mariadb") ? "MariaDB" : "MySQL", version, connector);
            pc.addOverrideProperty("sluice.cdc.connector-class", connector);
        }
    }
}
