package io.sluice.customers;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;

import io.sluice.cluster.Leadership;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the CDC source stands. Two uses:
 * <ul>
 *   <li>the customer table waits for {@link #snapshotDelivered()} and {@link #caughtUpWithSource()} before it
 *       measures how far it must read, so ratings are not enriched against a half-written snapshot on a first start,
 *       nor, after a restart, against rows whose changes made while Sluice was down are still being streamed;</li>
 *   <li>health: a failed Debezium engine leaves the Camel route "started", and an idle binlog sends no events,
 *       so health asks Debezium's own metrics whether it is snapshotting or connected to the binlog — on the CDC
 *       leader; an instance that does not lead streams nothing and says so (UP, {@code leader=false}).</li>
 * </ul>
 */
public final class CdcProgress extends AbstractHealthCheck {

    private static final Logger LOG = LoggerFactory.getLogger(CdcProgress.class);

    private final String server;
    private final Leadership leadership;
    private final String topic;
    private final Supplier<DataSource> dataSource;
    private final io.sluice.db.SqlDialect dialect;
    private volatile boolean snapshotMarkerSeen;
    private volatile boolean snapshotRecorded;
    private volatile long events;
    /** This run's watermark: written to table cdc_watermark once the snapshot is through, then awaited on the stream. */
    private final String watermarkToken = java.util.UUID.randomUUID().toString();
    private volatile long watermarkWrittenAt;
    private volatile boolean watermarkSeen;
    private boolean watermarkWarned;

    /**
     * @param server     Debezium's logical server name, i.e. the topic prefix
     * @param leadership whether this instance is the one that streams
     * @param topic      the customers topic CDC writes
     * @param dataSource where the completed snapshot is recorded for the other instances
     */
    public CdcProgress(String server, Leadership leadership, String topic, Supplier<DataSource> dataSource,
            io.sluice.db.SqlDialect dialect) {
        super("sluice", "cdc");
        this.dialect = dialect;
        this.server = server;
        this.leadership = leadership;
        this.topic = topic;
        this.dataSource = dataSource;
    }

    /** Called by the CDC route for every event. */
    public void observe(Exchange exchange) {
        events++;
        if (endsOrFollowsSnapshot(exchange)) {
            snapshotMarkerSeen = true;
        }
    }

    /** Debezium marks the last record of a snapshot "last"; a streamed change ("false") comes after any snapshot. */
    private static boolean endsOrFollowsSnapshot(Exchange exchange) {
        Map<?, ?> source = exchange.getMessage().getHeader("CamelDebeziumSourceMetadata", Map.class);
        Object snapshot = source == null ? null : source.get("snapshot");
        return "last".equals(snapshot) || "false".equals(snapshot);
    }

    /**
     * Called by the CDC route after Kafka acknowledged a record: once the snapshot's last record (or a streamed
     * change, which comes after any snapshot) is on the topic, the snapshot is recorded for the other instances.
     */
    public void delivered(Exchange exchange) {
        if (!snapshotRecorded && endsOrFollowsSnapshot(exchange)) {
            recordSnapshot(); // failed: tried again with the next record
        }
    }

    /**
     * True once everything the snapshot of this run produced has passed the route: its last record was seen,
     * or no snapshot ran (offsets were stored) and the connector streams from the binlog. Either way the topic
     * then holds a complete snapshot, which is recorded for the instances that do not stream.
     */
    public boolean snapshotDelivered() {
        boolean delivered = snapshotMarkerSeen || (metric("streaming", "Connected") && !metric("snapshot", "SnapshotRunning")
                && !metric("snapshot", "SnapshotCompleted"));
        if (delivered && !snapshotRecorded) {
            recordSnapshot();
        }
        return delivered;
    }

    /**
     * Called by the CDC route for each change of table {@code cdc_watermark} (which goes to no topic): the route is
     * sequential and acknowledged per record, so when this run's token comes back, every change committed to the
     * source before it was written — in particular every customers change made while Sluice was stopped — is on
     * the customers topic.
     */
    public void watermark(Exchange exchange) {
        Map<?, ?> row = exchange.getMessage().getBody(Map.class);
        if (row != null && topic.equals(row.get("topic")) && watermarkToken.equals(row.get("token"))) {
            watermarkSeen = true;
            LOG.info("CDC has streamed everything committed before this start ({} ms after the watermark was written)",
                    System.currentTimeMillis() - watermarkWrittenAt);
        }
    }

    /**
     * True once the stream has passed this run's watermark. "Connected to the binlog / replication slot" alone is
     * not enough after a restart: the changes made meanwhile are still on their way, and neither connector tells
     * how far it has read (PostgreSQL's metrics give no LSN), so the position is marked in the source itself — the
     * way Debezium's incremental snapshots mark theirs — and read back. The first call writes the mark.
     */
    public boolean caughtUpWithSource() {
        if (watermarkSeen) {
            return true;
        }
        if (watermarkWrittenAt == 0) {
            writeWatermark();
        } else if (!watermarkWarned && System.currentTimeMillis() - watermarkWrittenAt > 30_000) {
            watermarkWarned = true;
            LOG.warn("The customer table still waits for CDC to stream the watermark written to table cdc_watermark 30 s"
                    + " ago: the CDC route must capture cdc_watermark beside customers (table include list; on"
                    + " PostgreSQL also the publication) and hand its changes to cdcProgress.watermark");
        }
        return false;
    }

    private void writeWatermark() {
        try (Connection c = dataSource.get().getConnection(); PreparedStatement ps = c.prepareStatement(
                dialect.statement(io.sluice.db.SqlDialect.CDC_WATERMARK_UPSERT))) {
            ps.setString(1, topic);
            ps.setString(2, watermarkToken);
            ps.executeUpdate();
            watermarkWrittenAt = System.currentTimeMillis();
        } catch (Exception e) {
            LOG.warn("Could not write the CDC watermark for {} (will try again): {}", topic, e.toString());
        }
    }

    /**
     * For an instance that does not stream: whether the CDC leader (this run's or an earlier one) has put a
     * complete snapshot on the topic. Until then the topic may be empty or half-written, and a customer table
     * opened on it would send live ratings to ratings-unmatched (found by the fault suite's scale-out run).
     */
    public boolean snapshotRecordedByLeader() {
        try (Connection c = dataSource.get().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM cdc_snapshot WHERE topic = ?")) {
            ps.setString(1, topic);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (Exception e) {
            return false; // the database away: ask again later
        }
    }

    private void recordSnapshot() {
        try (Connection c = dataSource.get().getConnection(); PreparedStatement ps = c.prepareStatement(
                dialect.statement(io.sluice.db.SqlDialect.CDC_SNAPSHOT_INSERT))) {
            ps.setString(1, topic);
            ps.executeUpdate();
            snapshotRecorded = true;
        } catch (Exception e) {
            LOG.warn("Could not record the completed CDC snapshot of {} (will try again): {}", topic, e.toString());
        }
    }

    /** Whether Debezium is at work: snapshotting, or connected to the binlog (MariaDB) or replication slot (PostgreSQL). */
    public boolean engineRunning() {
        return metric("snapshot", "SnapshotRunning") || metric("streaming", "Connected");
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (!leadership.isLeader()) {
            builder.detail("leader", false)
                    .message("Standby: another instance leads CDC, or none can reach the database (see check database)")
                    .up();
            return;
        }
        builder.detail("leader", true);
        boolean snapshotting = metric("snapshot", "SnapshotRunning");
        boolean connected = metric("streaming", "Connected");
        builder.detail("events", events).detail("snapshot_running", snapshotting).detail("binlog_connected", connected);
        if (snapshotting || connected) {
            builder.up();
        } else {
            builder.message("Debezium is neither snapshotting nor streaming changes (MariaDB binlog / PostgreSQL replication slot)").down();
        }
    }

    private boolean metric(String context, String attribute) {
        try {
            MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> names = mbs.queryNames(new ObjectName(
                    "debezium.*:type=connector-metrics,context=" + context + ",server=" + server + ",*"), null);
            for (ObjectName name : names) {
                if (Boolean.TRUE.equals(mbs.getAttribute(name, attribute))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
