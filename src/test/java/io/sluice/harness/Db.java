package io.sluice.harness;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.sluice.devstack.DevStack;
import io.sluice.devstack.DevStackConfig;

/** SQL against the harness's MariaDB as the application account (DML only). */
public final class Db {

    private final DevStackConfig config;

    public Db(DevStack stack) {
        this.config = stack.config();
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(), config.accounts().appUser(), config.accounts().appPassword());
    }

    /** Inserts a customer and returns its generated id. */
    public int insertCustomer(String first, String last, String email, String clubStatus) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO customers (first_name, last_name, email, gender, club_status) VALUES (?, ?, ?, 'Female', ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, first);
            ps.setString(2, last);
            ps.setString(3, email);
            ps.setString(4, clubStatus);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getInt(1);
            }
        }
    }

    public int update(String sql, Object... args) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    /** The single number a query like {@code SELECT COUNT(*) … WHERE x = ?} answers, with {@code args} as its parameters. */
    public long count(String sql, Object... args) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public List<Integer> customerIds() throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM customers")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }

    /** Every row of {@code customers} by id, each as column name to value as text (null for SQL NULL). */
    public Map<Integer, Map<String, String>> customers() throws SQLException {
        Map<Integer, Map<String, String>> rows = new TreeMap<>();
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM customers")) {
            var meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, String> row = new TreeMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i), rs.getString(i));
                }
                rows.put(rs.getInt("id"), row);
            }
        }
        return rows;
    }
}
