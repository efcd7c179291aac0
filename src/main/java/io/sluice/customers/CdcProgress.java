package io.sluice.customers;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.sluice.cluster.Leadership;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Where the CDC source stands. Two uses:
 * <ul>
 *   <li>the customer table waits for {@link #snapshotDelivered()} before it measures how far it must read, so
 *       ratings are not enriched against a half-written snapshot on a first start;</li>
 *   <li>health: a failed Debezium engine leaves the Camel route "started", and an idle binlog sends no events,
 *       so health asks Debezium's own metrics whether it is snapshotting or connected to the binlog — on the CDC
 *       leader; an instance that does not lead streams nothing and says so (UP, {@code leader=false}).</li>
 * </ul>
 */
public final class CdcProgress extends AbstractHealthCheck {

    private final String server;
    private final Leadership leadership;
    private volatile boolean snapshotMarkerSeen;
    private volatile long events;

    /**
     * @param server     Debezium's logical server name, i.e. the topic prefix
     * @param leadership whether this instance is the one that streams
     */
    public CdcProgress(String server, Leadership leadership) {
        super("sluice", "cdc");
        this.server = server;
        this.leadership = leadership;
    }

    /** Called by the CDC route for every event. */
    public void observe(Exchange exchange) {
        events++;
        Map<?, ?> source = exchange.getMessage().getHeader("CamelDebeziumSourceMetadata", Map.class);
        Object snapshot = source == null ? null : source.get("snapshot");
        // Debezium marks the last record of a snapshot "last"; a streamed change ("false") comes after it
        if ("last".equals(snapshot) || "false".equals(snapshot)) {
            snapshotMarkerSeen = true;
        }
    }

    /**
     * True once everything the snapshot of this run produced has passed the route: its last record was seen,
     * or no snapshot ran (offsets were stored) and the connector streams from the binlog.
     */
    public boolean snapshotDelivered() {
        if (snapshotMarkerSeen) {
            return true;
        }
        return metric("streaming", "Connected") && !metric("snapshot", "SnapshotRunning")
                && !metric("snapshot", "SnapshotCompleted");
    }

    /** Whether Debezium is at work: snapshotting, or connected to the binlog. */
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
            builder.message("Debezium is neither snapshotting nor connected to the binlog").down();
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
