package io.sluice.windows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Durable window state in the database (tables {@code window_clock, window_offsets, window_state,
 * window_outbox}, see db/schema.sql), changed only in transactions that keep it consistent with the input:
 *
 * <ul>
 * <li>a fold adds a batch's deltas <em>and</em> records the offsets it folded in, in one transaction, so a batch
 *     delivered again after a crash is recognised and skipped — Kafka's own commit only saves re-reading;</li>
 * <li>a close turns closed windows into result records in the outbox and deletes their state in one transaction,
 *     so a window yields exactly one result, and a crash before it is published loses nothing;</li>
 * <li>late and unusable records go to the outbox in the fold's transaction, for the same reason.</li>
 * </ul>
 * Both lock the window's clock row first, so instances sharing a database take turns instead of deadlocking.
 */
final class WindowStore {

    /** A record waiting in the outbox for its topic. */
    record Pending(long id, String topic, String key, byte[] payload) {
    }

    /** A letter for a refused record, written by the caller's dead-letter format. */
    interface Letters {
        byte[] letter(WindowFold.Refusal refusal);
    }

    /** One input partition as folded so far: next offset, highest event time (MIN_VALUE: none), last fold (epoch ms). */
    record Partition(long nextOffset, long maxTime, long foldedAt) {
    }


    private final Supplier<DataSource> dataSource;
    private final ObjectMapper json;

    WindowStore(Supplier<DataSource> dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /**
     * Event ids counted per open window, in the fold's transaction (rolled back with it if the fold fails). One
     * statement for the whole batch, prepared on the first id (windows without an idField never ask).
     */
    private static final class SeenIds implements WindowFold.FirstSeen, AutoCloseable {
        private final Connection c;
        private final String window;
        private PreparedStatement insert;

        SeenIds(Connection c, String window) {
            this.c = c;
            this.window = window;
        }

        @Override
        public boolean firstTime(long windowStart, String eventId) {
            try {
                if (insert == null) {
                    insert = c.prepareStatement("INSERT IGNORE INTO window_seen (window_name, window_start, event_id) VALUES (?, ?, ?)");
                }
                insert.setString(1, window);
                insert.setLong(2, windowStart);
                insert.setString(3, eventId);
                return insert.executeUpdate() == 1;
            } catch (SQLException e) {
                throw new IllegalStateException("remembering event " + eventId + " of window " + window + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws SQLException {
            if (insert != null) {
                insert.close();
            }
        }
    }

    WindowFold.Result fold(WindowSpec spec, WindowFold fold, List<WindowFold.Input> batch, String lateTopic,
                           String dlqTopic, Letters letters, long now) throws SQLException {
        try (Connection c = dataSource.get().getConnection()) {
            c.setAutoCommit(false);
            try {
                long closedBefore = lockClock(c, spec.name());
                Map<String, Long> folded = new HashMap<>();
                partitions(c, spec.name(), true).forEach((key, p) -> folded.put(key, p.nextOffset()));
                WindowFold.Result result;
                try (SeenIds seen = new SeenIds(c, spec.name())) {
                    result = fold.fold(batch, folded, closedBefore, seen);
                }
                if (result.fresh() > 0) {
                    addDeltas(c, spec.name(), result);
                    savePartitions(c, spec.name(), result, now);
                    List<Pending> refused = new ArrayList<>();
                    for (WindowFold.Refusal r : result.refusals()) {
                        refused.add(new Pending(0, r.late() ? lateTopic : dlqTopic, r.input().key(), letters.letter(r)));
                    }
                    enqueue(c, spec.name(), refused);
                }
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Closes the windows the {@link Watermark} has passed (every open one when the input is idle) and queues one
     * result per window and key on {@code outputTopic}; from then on an event of those windows is late. Returns the
     * number of results queued.
     *
     * @param ends the input topic's end offsets per {@code topic:partition}, asked of Kafka just before
     * @param quietSince since when Kafka has reported these same end offsets (see {@link Watermark#of})
     */
    int close(WindowSpec spec, String outputTopic, Map<String, Long> ends, long now, long quietSince) throws SQLException {
        try (Connection c = dataSource.get().getConnection()) {
            c.setAutoCommit(false);
            try {
                lockClock(c, spec.name());
                Watermark watermark = Watermark.of(ends, partitions(c, spec.name(), true), now, spec.idleTimeoutMs(), quietSince);
                if (watermark.equals(Watermark.NONE)) {
                    c.commit();
                    return 0;
                }
                long upToStart = watermark.closeAll() ? Long.MAX_VALUE : spec.lastClosedStart(watermark.time());
                List<Pending> results = new ArrayList<>();
                long lastEnd = Long.MIN_VALUE;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT window_start, group_key, total, count, items FROM window_state"
                                + " WHERE window_name = ? AND window_start <= ? ORDER BY window_start, group_key FOR UPDATE")) {
                    ps.setString(1, spec.name());
                    ps.setLong(2, upToStart);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long start = rs.getLong(1);
                            JsonNode keyValue = json.readTree(rs.getString(2));
                            byte[] payload = json.writeValueAsBytes(result(spec, start, keyValue, rs.getLong(3), rs.getLong(4), rs.getString(5)));
                            results.add(new Pending(0, outputTopic, keyValue.asText() + "@" + start, payload));
                            lastEnd = Math.max(lastEnd, start + spec.size());
                        }
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("window " + spec.name() + ": unreadable state", e);
                }
                if (!results.isEmpty()) {
                    enqueue(c, spec.name(), results);
                    try (PreparedStatement ps = c.prepareStatement(
                            "DELETE FROM window_state WHERE window_name = ? AND window_start <= ?")) {
                        ps.setString(1, spec.name());
                        ps.setLong(2, upToStart);
                        ps.executeUpdate();
                    }
                    // closed windows need no memory of their ids: a repeat from now on is late anyway
                    try (PreparedStatement ps = c.prepareStatement(
                            "DELETE FROM window_seen WHERE window_name = ? AND window_start <= ?")) {
                        ps.setString(1, spec.name());
                        ps.setLong(2, upToStart);
                        ps.executeUpdate();
                    }
                    // from now on an event of these windows is late, whatever the watermark of the folding instance
                    try (PreparedStatement ps = c.prepareStatement("UPDATE window_clock SET closed_before ="
                            + " GREATEST(COALESCE(closed_before, ?), ?) WHERE window_name = ?")) {
                        ps.setLong(1, lastEnd);
                        ps.setLong(2, lastEnd);
                        ps.setString(3, spec.name());
                        ps.executeUpdate();
                    }
                }
                c.commit();
                return results.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private ObjectNode result(WindowSpec spec, long start, JsonNode key, long total, long count, String items)
            throws com.fasterxml.jackson.core.JsonProcessingException {
        ObjectNode out = json.createObjectNode();
        out.put("window_start", start);
        out.put("window_end", start + spec.size());
        out.set(spec.groupBy(), key);
        if (spec.aggregate().sumField() != null) {
            out.put("total_" + spec.aggregate().sumField(), total);
        }
        out.put("count", count);
        if (spec.aggregate().listField() != null) {
            out.set(spec.aggregate().listField(), json.readTree("[" + (items == null ? "" : items) + "]"));
        }
        return out;
    }

    /** The oldest records waiting in the outbox, in the order they were queued. */
    List<Pending> pending(int limit) throws SQLException {
        List<Pending> out = new ArrayList<>();
        try (Connection c = dataSource.get().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, topic, record_key, payload FROM window_outbox ORDER BY id LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Pending(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4)));
                }
            }
        }
        return out;
    }

    /** Forgets outbox records once Kafka has acknowledged them. */
    void published(List<Long> ids) throws SQLException {
        try (Connection c = dataSource.get().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM window_outbox WHERE id = ?")) {
            c.setAutoCommit(false);
            for (long id : ids) {
                ps.setLong(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
    }

    /** Locks (creating if needed) the window's clock row; returns closed_before (MIN_VALUE: nothing closed yet). */
    private static long lockClock(Connection c, String window) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO window_clock (window_name) VALUES (?) ON DUPLICATE KEY UPDATE window_name = window_name")) {
            ps.setString(1, window);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT closed_before FROM window_clock WHERE window_name = ? FOR UPDATE")) {
            ps.setString(1, window);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return orMin(rs, 1);
            }
        }
    }

    private static long orMin(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Long.MIN_VALUE : v;
    }

    private static Map<String, Partition> partitions(Connection c, String window, boolean lock) throws SQLException {
        Map<String, Partition> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT topic, kpartition, next_offset, max_time, folded_at"
                + " FROM window_offsets WHERE window_name = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setString(1, window);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + ":" + rs.getInt(2), new Partition(rs.getLong(3), orMin(rs, 4), rs.getLong(5)));
                }
            }
        }
        return out;
    }

    private static void savePartitions(Connection c, String window, WindowFold.Result result, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO window_offsets (window_name, topic, kpartition, next_offset, max_time, folded_at)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE next_offset = GREATEST(next_offset, VALUES(next_offset)),"
                + " max_time = GREATEST(COALESCE(max_time, VALUES(max_time)), COALESCE(VALUES(max_time), max_time)), folded_at = VALUES(folded_at)")) {
            for (Map.Entry<String, Long> e : result.nextOffsets().entrySet()) {
                int colon = e.getKey().lastIndexOf(':');
                ps.setString(1, window);
                ps.setString(2, e.getKey().substring(0, colon));
                ps.setInt(3, Integer.parseInt(e.getKey().substring(colon + 1)));
                ps.setLong(4, e.getValue());
                Long maxTime = result.maxTimes().get(e.getKey());
                if (maxTime == null) {
                    ps.setNull(5, Types.BIGINT);
                } else {
                    ps.setLong(5, maxTime);
                }
                ps.setLong(6, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void addDeltas(Connection c, String window, WindowFold.Result result) throws SQLException {
        if (result.deltas().isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO window_state (window_name, window_start, group_key, total, count, items)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE total = total + VALUES(total), count = count + VALUES(count),"
                + " items = CONCAT_WS(',', items, VALUES(items))")) {
            for (Map.Entry<WindowFold.Cell, WindowFold.Delta> e : result.deltas().entrySet()) {
                ps.setString(1, window);
                ps.setLong(2, e.getKey().windowStart());
                ps.setString(3, e.getKey().key());
                ps.setLong(4, e.getValue().total());
                ps.setLong(5, e.getValue().count());
                ps.setString(6, e.getValue().items());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void enqueue(Connection c, String window, List<Pending> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO window_outbox (window_name, topic, record_key, payload) VALUES (?, ?, ?, ?)")) {
            for (Pending p : records) {
                ps.setString(1, window);
                ps.setString(2, p.topic());
                ps.setString(3, p.key());
                ps.setBytes(4, p.payload());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
