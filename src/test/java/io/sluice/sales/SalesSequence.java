package io.sluice.sales;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.harness.Db;

/**
 * A known sequence of sales (the demo generator's mix, fixed seed, time = 0, 1, 2, ...) and its ground truth:
 * per window of {@code size} and per item, plus "*" for all items, the total amount and the count — computed
 * here, independently of Sluice.
 */
public final class SalesSequence {

    public record Totals(long total, long count) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    final List<String> records = new ArrayList<>();
    /** "windowStart/item" -> totals, sorted for readable failures. */
    final Map<String, Totals> expected = new TreeMap<>();

    SalesSequence(int n, long size, long seed) {
        SalesGenerator generator = new SalesGenerator(seed, 0.7, new java.util.concurrent.atomic.AtomicLong()::getAndIncrement);
        for (int i = 0; i < n; i++) {
            String sale = generator.next();
            records.add(sale);
            count(expected, sale, size);
        }
    }

    /** Adds one sale to the truth: its window's totals for its item and for "*" (windows of {@code size}). */
    public static void count(Map<String, Totals> truth, String sale, long size) {
        try {
            JsonNode node = JSON.readTree(sale);
            long start = Math.floorDiv(node.get("time").asLong(), size) * size;
            long amount = node.get("amount").asLong();
            for (String item : new String[] {node.get("item").asText(), "*"}) {
                truth.merge(start + "/" + item, new Totals(amount, 1), (a, b) -> new Totals(a.total + b.total, a.count + b.count));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every row of sales_summary, as the same map. */
    public static Map<String, Totals> summaryTable(Db db) throws SQLException {
        Map<String, Totals> rows = new TreeMap<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT window_start, window_end, item, total_amount, count FROM sales_summary");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.put(rs.getLong(1) + "/" + rs.getString(3), new Totals(rs.getLong(4), rs.getLong(5)));
            }
        }
        return rows;
    }

    /** Rows of table sales whose event id starts with {@code prefix}: {count, distinct event ids}. */
    public static long[] salesRows(Db db, String prefix) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM sales WHERE event_id LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }
}
