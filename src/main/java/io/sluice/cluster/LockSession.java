package io.sluice.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * One database session that holds, or tries to take, a MariaDB/MySQL named lock ({@code GET_LOCK}).
 *
 * <p>The server ties the lock to the session, not to a transaction or a client: it is freed when the session ends
 * for any reason — the connection closed, the process killed (its OS closes the socket), {@code KILL <id>}, or the
 * server's {@code wait_timeout} after the client fell silent (a machine lost without closing its connections). That
 * is what makes it a lock across machines, and why the connection is a plain JDBC connection of its own: a pooled
 * one would be handed to other work, validated, evicted or reconnected behind our back.
 *
 * <p>On PostgreSQL the same guarantees come from a session-level advisory lock ({@code pg_try_advisory_lock}) on the
 * lock name's hash, also freed when the session ends; {@code idle_session_timeout} plays {@code wait_timeout}'s part.
 *
 * <p>Not thread-safe: one view's poll thread uses it.
 */
final class LockSession implements AutoCloseable {

    /** The statements of one server kind; every one takes the lock name as its only parameter, if any. */
    private record Sql(String sessionTimeout, String sessionId, String tryAcquire, String holds, String release) {
        static final Sql MARIADB = new Sql("SET SESSION wait_timeout = ?", "SELECT CONNECTION_ID()",
                "SELECT GET_LOCK(?, 0)", "SELECT IS_USED_LOCK(?), CONNECTION_ID()", "SELECT RELEASE_LOCK(?)");
        // an advisory lock on a bigint shows in pg_locks as classid (high 32 bits) and objid (low 32 bits)
        static final Sql POSTGRES = new Sql("SELECT set_config('idle_session_timeout', ?, false)", "SELECT pg_backend_pid()",
                "SELECT CASE WHEN pg_try_advisory_lock(hashtext(?)) THEN 1 ELSE 0 END",
                "SELECT (SELECT MIN(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                        + " AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext(?)::bigint), pg_backend_pid()",
                "SELECT pg_advisory_unlock(hashtext(?))");
    }

    private final Connection connection;
    private final String lock;
    private final long id;
    private final Sql sql;

    private LockSession(Connection connection, String lock, long id, Sql sql) {
        this.connection = connection;
        this.lock = lock;
        this.id = id;
        this.sql = sql;
    }

    /**
     * Opens the session. {@code silence} is how long the server keeps the lock of a session that says nothing
     * (its {@code wait_timeout}); a query of ours that gets no answer fails after half of it, so a leader cut off
     * from the database notices before the server can hand the lock to another instance.
     */
    static LockSession open(String url, String user, String password, String lock, Duration silence) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        boolean postgres = url.startsWith("jdbc:postgresql:");
        Sql sql = postgres ? Sql.POSTGRES : Sql.MARIADB;
        long halfMs = Math.max(1000, silence.toMillis() / 2);
        // MariaDB Connector/J and MySQL Connector/J take these in milliseconds, the PostgreSQL driver in seconds
        String half = Long.toString(postgres ? Math.max(1, halfMs / 1000) : halfMs);
        p.setProperty("connectTimeout", half);
        p.setProperty("socketTimeout", half);
        Connection c = DriverManager.getConnection(url, p);
        try {
            try (PreparedStatement ps = c.prepareStatement(sql.sessionTimeout())) {
                if (postgres) {
                    ps.setString(1, Long.toString(Math.max(1000, silence.toMillis()))); // idle_session_timeout, ms
                } else {
                    ps.setLong(1, Math.max(1, silence.toSeconds()));
                }
                ps.execute();
            }
            try (PreparedStatement ps = c.prepareStatement(sql.sessionId()); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new LockSession(c, lock, rs.getLong(1), sql);
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** The server's id of this session (what {@code IS_USED_LOCK} answers, what {@code KILL} takes). */
    long id() {
        return id;
    }

    /**
     * {@code GET_LOCK(lock, 0)}: true when this session holds the lock now, false when another session does
     * (no waiting: the caller polls).
     */
    boolean tryAcquire() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.tryAcquire())) {
            ps.setString(1, lock);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int answer = rs.getInt(1);
                if (rs.wasNull()) {
                    throw new SQLException("GET_LOCK(" + lock + ") answered NULL (the server could not take the lock)");
                }
                return answer == 1;
            }
        }
    }

    /**
     * Whether the server still says this very session holds the lock. Compared with the session's id as it is now
     * as well as when it opened, so a driver that silently reconnected (a new session, without the lock) cannot
     * pass for the old one.
     */
    boolean holds() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.holds())) {
            ps.setString(1, lock);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long holder = rs.getLong(1);
                boolean used = !rs.wasNull();
                return used && holder == id && rs.getLong(2) == id;
            }
        }
    }

    /**
     * Orderly end: releases the lock (so the server has freed it by the time this returns, and another instance
     * can take it at its next poll) and ends the session.
     */
    void release() {
        try (PreparedStatement ps = connection.prepareStatement(sql.release())) {
            ps.setString(1, lock);
            ps.execute();
        } catch (SQLException | RuntimeException e) {
            // the session may be dead already, which is what frees the lock
        }
        close();
    }

    /** Ends the session without a word to the server first (it may not answer); the server frees the lock. */
    @Override
    public void close() {
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            // nothing left to do: a broken connection is gone on the server's side too
        }
    }
}
