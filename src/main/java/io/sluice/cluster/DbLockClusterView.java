package io.sluice.cluster;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace of a {@link DbLockClusterService}: this instance leads it while its own database session holds the
 * named lock of the same name.
 *
 * <p>Every poll interval, on the service's thread: a follower asks for the lock ({@code GET_LOCK(name, 0)}); the
 * leader checks that the server still has it held by its session ({@code IS_USED_LOCK}). Any failure — the
 * connection broken, the session killed, the database down, the lock found with another session — ends leadership
 * at once and closes the session; the next poll opens a new one and asks again, for as long as the view runs (a
 * database that is down is retried every interval, never given up on). Listeners (Camel's ClusteredRoutePolicy)
 * hear every change, on the poll thread.
 *
 * <p>The window in which two instances may both act as leader: a leader whose session ended on the server's side
 * (killed, or the server restarted) learns it at its next poll, up to one interval later, while another instance
 * may already have taken the lock. Whatever runs under the lock must tolerate that (see routes/customer-cdc.yaml).
 */
public final class DbLockClusterView extends AbstractCamelClusterView {

    private static final Logger LOG = LoggerFactory.getLogger(DbLockClusterView.class);

    private final DbLockClusterService service;
    private final Member localMember = new Member();
    /** Guards {@link #session}: the poll thread uses it, a stop closes it. */
    private final Object sessionGuard = new Object();
    private LockSession session;
    private volatile boolean leader;
    private volatile boolean decided;
    private volatile long sessionId = -1;
    /** The last attempt failed: further failures of the same outage are logged at debug level only. */
    private boolean failing;
    private ScheduledFuture<?> poller;

    DbLockClusterView(DbLockClusterService service, String namespace) {
        super(service, namespace);
        this.service = service;
    }

    /** True while this instance's session holds the lock. */
    public boolean isLeader() {
        return leader;
    }

    /** True once the first attempt since the view started has been answered (lock taken, or held elsewhere, or failed). */
    public boolean isDecided() {
        return decided;
    }

    /** The server's id of the session in use (the one to {@code KILL} to take leadership away), or -1 without one. */
    public long sessionId() {
        return sessionId;
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        // another instance leading is known to the server only as a session id, not as a member of ours
        return leader ? Optional.of(localMember) : Optional.empty();
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return localMember;
    }

    @Override
    public List<CamelClusterMember> getMembers() {
        // the lock tells who holds it, not who else is waiting: this instance is the only member it knows
        return List.of(localMember);
    }

    @Override
    protected void doStart() {
        decided = false;
        poller = service.executor().scheduleWithFixedDelay(this::poll, 0, service.getPollMs(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (poller != null) {
            poller.cancel(false);
            poller = null;
        }
        boolean wasLeader;
        synchronized (sessionGuard) {
            wasLeader = leader;
            leader = false;
            if (session != null) {
                session.release();
                session = null;
                sessionId = -1;
            }
        }
        if (wasLeader) {
            LOG.info("Released lock '{}': this instance no longer leads", getNamespace());
            fireLeadershipChangedEvent((CamelClusterMember) null);
        }
    }

    /** One attempt; never throws, or the executor would cancel every later one. */
    private void poll() {
        boolean before;
        boolean now;
        synchronized (sessionGuard) {
            if (!isRunAllowed()) {
                return; // stopping: doStop closes the session
            }
            before = leader;
            now = attempt(before);
            leader = now;
            decided = true;
        }
        if (now != before) {
            if (now) {
                LOG.info("Acquired lock '{}' (database session {}): this instance leads", getNamespace(), sessionId);
            }
            fireLeadershipChangedEvent(now ? localMember : null);
        }
    }

    private boolean attempt(boolean wasLeader) {
        try {
            if (session == null) {
                session = service.openSession(getNamespace());
                sessionId = session.id();
            }
            boolean held = wasLeader ? session.holds() : session.tryAcquire();
            if (failing) {
                LOG.info("Database reachable again for lock '{}'", getNamespace());
                failing = false;
            }
            if (wasLeader && !held) {
                LOG.warn("Lock '{}' is no longer held by database session {}: this instance stops leading", getNamespace(), sessionId);
                endSession();
            }
            return held;
        } catch (Exception e) {
            if (wasLeader) {
                LOG.warn("Lost the database session holding lock '{}' ({}): this instance stops leading; retrying every {} ms",
                        getNamespace(), e.toString(), service.getPollMs());
            } else if (!failing) {
                LOG.warn("Cannot ask the database for lock '{}' ({}); retrying every {} ms", getNamespace(), e.toString(), service.getPollMs());
            } else {
                LOG.debug("Still cannot ask the database for lock '{}'", getNamespace(), e);
            }
            failing = true;
            endSession();
            return false;
        }
    }

    private void endSession() {
        if (session != null) {
            session.close();
            session = null;
            sessionId = -1;
        }
    }

    private final class Member implements CamelClusterMember {
        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public boolean isLocal() {
            return true;
        }

        @Override
        public String getId() {
            return service.getId();
        }
    }
}
