package io.sluice.cluster;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.camel.support.cluster.AbstractCamelClusterService;

/**
 * A Camel cluster service whose leadership is a named lock in the MariaDB/MySQL database the instances share
 * ({@code GET_LOCK}): each namespace is a lock of that name, held by one database session of one instance at a time.
 * Instances on different machines agree because the database server is the single place that decides, and it frees
 * the lock when the holder's session ends — also when the holder is killed or its machine is lost (see
 * {@link LockSession}). Camel's {@code ClusteredRoutePolicy} (or the {@code master:} component) puts routes under it.
 *
 * <p>Each view polls on one thread shared by the service, every {@link #setPollMs poll interval}. One database
 * connection per view, outside any pool, opened on start and closed on stop.
 */
public final class DbLockClusterService extends AbstractCamelClusterService<DbLockClusterView> {

    /** MySQL refuses longer lock names; MariaDB would take them, but the same configuration must work on both. */
    static final int MAX_LOCK_NAME = 64;

    private final Map<String, DbLockClusterView> views = new ConcurrentHashMap<>();
    private String url;
    private String user;
    private String password;
    private long pollMs = 1000;
    private Duration sessionTimeout = Duration.ofSeconds(10);
    private volatile ScheduledExecutorService executor;

    public void setUrl(String url) {
        this.url = url;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public long getPollMs() {
        return pollMs;
    }

    /** How often a follower asks for the lock and the leader checks it still holds it. */
    public void setPollMs(long pollMs) {
        if (pollMs <= 0) {
            throw new IllegalArgumentException("poll interval must be positive, got " + pollMs + " ms");
        }
        this.pollMs = pollMs;
    }

    /**
     * How long the server keeps the lock of a session it hears nothing from (a lost machine). Must be well above the
     * poll interval: a leader's session is quiet for one interval between polls.
     */
    public void setSessionTimeout(Duration sessionTimeout) {
        this.sessionTimeout = sessionTimeout;
    }

    /** Whether this instance leads {@code namespace} now (false for a namespace no route has asked for). */
    public Leadership leadership(String namespace) {
        return new Leadership() {
            @Override
            public boolean isLeader() {
                DbLockClusterView view = views.get(namespace);
                return view != null && view.isLeader();
            }

            @Override
            public boolean isDecided() {
                DbLockClusterView view = views.get(namespace);
                return view != null && view.isDecided();
            }
        };
    }

    @Override
    protected DbLockClusterView createView(String namespace) {
        if (namespace.isEmpty() || namespace.length() > MAX_LOCK_NAME) {
            throw new IllegalArgumentException("A lock name has 1 to " + MAX_LOCK_NAME + " characters: '" + namespace + "'");
        }
        DbLockClusterView view = new DbLockClusterView(this, namespace);
        views.put(namespace, view);
        return view;
    }

    @Override
    protected void doStart() throws Exception {
        if (url == null || user == null || password == null) {
            throw new IllegalStateException("DbLockClusterService needs the database URL, user and password");
        }
        if (sessionTimeout.toMillis() < 3 * pollMs) {
            throw new IllegalStateException("session timeout " + sessionTimeout.toMillis() + " ms must be at least three poll"
                    + " intervals (" + pollMs + " ms): the server would end a healthy leader's session between two polls");
        }
        executor = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "sluice-leader-lock");
        super.doStart(); // starts the views, which schedule their polls on the executor
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop(); // stops the views: each releases its lock and closes its connection
        ScheduledExecutorService e = executor;
        executor = null;
        if (e != null) {
            getCamelContext().getExecutorServiceManager().shutdown(e);
        }
    }

    ScheduledExecutorService executor() {
        ScheduledExecutorService e = executor;
        if (e == null) {
            throw new IllegalStateException("DbLockClusterService is not started");
        }
        return e;
    }

    LockSession openSession(String lock) throws SQLException {
        return LockSession.open(url, user, password, lock, sessionTimeout);
    }

    /** Names the database and account, never the password. */
    @Override
    public String toString() {
        return "DbLockClusterService[id=" + getId() + ", url=" + url + ", user=" + user + ", poll=" + pollMs + " ms]";
    }
}
