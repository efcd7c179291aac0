package io.sluice.customers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL only: how many bytes of WAL the server keeps for the CDC replication slot beyond what Debezium has
 * confirmed. It grows while Sluice is behind or stopped, and the server cannot free that WAL: the figure to alert on.
 */
public final class SlotLag {

    private static final Logger LOG = LoggerFactory.getLogger(SlotLag.class);

    private final Supplier<DataSource> dataSource;
    private final String slot;

    public SlotLag(Supplier<DataSource> dataSource, String slot) {
        this.dataSource = dataSource;
        this.slot = slot;
    }

    /** Bytes of WAL behind the slot's confirmed position; -1 when the slot does not exist (yet) or the database is away. */
    public double bytes() {
        try (Connection c = dataSource.get().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return -1;
                }
                double lag = rs.getDouble(1);
                return rs.wasNull() ? -1 : lag;
            }
        } catch (Exception e) {
            LOG.debug("Replication slot lag of {} not known: {}", slot, e.toString());
            return -1;
        }
    }
}
