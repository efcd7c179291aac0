package io.sluice.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.SluiceStack;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database-lock cluster service against the harness's real MariaDB: two instances (each a Camel context with its
 * own service, so its own connection), one lock. Polls every 200 ms here, so every bound below is a few polls.
 */
@ExtendWith(SluiceStack.class)
class DbLockClusterServiceTest {

    private static final long POLL_MS = 200;
    private static final Duration TAKEOVER = Duration.ofSeconds(3);

    private final List<DefaultCamelContext> contexts = new ArrayList<>();
    private DevStack stack;
    private Db db;
    private String lock;

    @BeforeEach
    void setUp(DevStack stack) {
        this.stack = stack;
        this.db = new Db(stack);
        this.lock = "test-lock-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stopAll() {
        contexts.forEach(DefaultCamelContext::stop);
    }

    @Test
    void exactlyOneOfTwoLeadsAndTheServerSaysWhichSession() throws Exception {
        DbLockClusterView a = view(instance("a", stack.config().jdbcUrl()));
        DbLockClusterView b = view(instance("b", stack.config().jdbcUrl()));

        await().atMost(TAKEOVER).until(() -> a.isLeader() ^ b.isLeader());
        // and it stays that way over many polls of both
        await().during(Duration.ofMillis(10 * POLL_MS)).atMost(Duration.ofMillis(20 * POLL_MS)).until(() -> a.isLeader() ^ b.isLeader());
        DbLockClusterView leader = a.isLeader() ? a : b;
        DbLockClusterView follower = leader == a ? b : a;
        assertThat(lockHolder()).isEqualTo(leader.sessionId());
        assertThat(follower.sessionId()).as("the follower has a session of its own").isPositive().isNotEqualTo(leader.sessionId());
        assertThat(leader.getLeader()).contains(leader.getLocalMember());
        assertThat(follower.getLeader()).isEmpty();
    }

    @Test
    void whenTheLeaderStopsTheOtherTakesOverAndNoConnectionIsLeftBehind() throws Exception {
        DbLockClusterService serviceA = instance("a", stack.config().jdbcUrl());
        DbLockClusterView a = view(serviceA);
        await().atMost(TAKEOVER).until(a::isLeader);
        DbLockClusterService serviceB = instance("b", stack.config().jdbcUrl());
        DbLockClusterView b = view(serviceB);
        await().atMost(TAKEOVER).until(() -> b.sessionId() > 0);
        assertThat(b.isLeader()).isFalse();

        // stopped and started again a few times, as Camel stops and starts it with the context: each stop hands
        // leadership over and ends the database session it had
        for (int round = 0; round < 3; round++) {
            boolean aLeads = a.isLeader();
            DbLockClusterView leader = aLeads ? a : b;
            DbLockClusterView follower = aLeads ? b : a;
            DbLockClusterService leaderService = aLeads ? serviceA : serviceB;
            long session = leader.sessionId();
            long stoppedAt = System.nanoTime();
            leaderService.stop();
            assertThat(leader.isLeader()).isFalse();
            assertThat(leader.sessionId()).isEqualTo(-1);
            await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(10)).until(follower::isLeader);
            System.out.printf("round %d: lock '%s' taken over %d ms after the leader stopped%n",
                    round, lock, (System.nanoTime() - stoppedAt) / 1_000_000);
            assertThat(lockHolder()).isEqualTo(follower.sessionId());
            await().atMost(TAKEOVER).until(() -> !sessionExists(session));

            leaderService.start(); // its view starts again with it, now as a follower
            await().atMost(TAKEOVER).until(() -> leader.sessionId() > 0);
            assertThat(leader.isLeader()).isFalse();
        }
        assertThat(serviceA.getNamespaces()).containsExactly(lock);
    }

    @Test
    void aLeaderWhoseSessionIsKilledStopsLeadingAndKeepsAskingAfterwards() throws Exception {
        DbLockClusterView a = view(instance("a", stack.config().jdbcUrl()));
        await().atMost(TAKEOVER).until(a::isLeader);
        DbLockClusterView b = view(instance("b", stack.config().jdbcUrl()));
        List<Boolean> heardByA = listen(a);
        await().atMost(TAKEOVER).until(() -> b.sessionId() > 0);
        long killed = a.sessionId();

        try (Connection c = db.connect(); PreparedStatement kill = c.prepareStatement("KILL ?")) {
            kill.setLong(1, killed);
            kill.execute();
        }
        await().atMost(TAKEOVER).until(() -> !a.isLeader());
        assertThat(heardByA).as("leadership events a's listeners heard").containsExactly(true, false);
        await().atMost(TAKEOVER).until(b::isLeader);
        assertThat(lockHolder()).isEqualTo(b.sessionId());

        // a opened a new session and keeps asking: it leads again once b lets go
        await().atMost(TAKEOVER).until(() -> a.sessionId() > 0 && a.sessionId() != killed);
        contexts.get(1).stop();
        await().atMost(TAKEOVER).until(a::isLeader);
        assertThat(lockHolder()).isEqualTo(a.sessionId());
        assertThat(heardByA).containsExactly(true, false, true);
    }

    @Test
    void withTheDatabaseGoneTheLeaderStopsLeadingAndLeadsAgainWhenItIsBack() throws Exception {
        try (TcpProxy proxy = new TcpProxy(stack.config().mariaDbPort())) {
            DbLockClusterView a = view(instance("a", "jdbc:mariadb://localhost:" + proxy.port() + "/demo"));
            await().atMost(TAKEOVER).until(a::isLeader);

            proxy.cut();
            await().atMost(TAKEOVER).until(() -> !a.isLeader());
            assertThat(isFree()).as("the server freed the lock of the cut session").isTrue();
            // while the database is unreachable: never leader, and still asking (nothing thrown out of the poll loop)
            await().during(Duration.ofMillis(5 * POLL_MS)).atMost(Duration.ofMillis(10 * POLL_MS)).until(() -> !a.isLeader());

            proxy.restore();
            await().atMost(TAKEOVER).until(a::isLeader);
            assertThat(lockHolder()).isEqualTo(a.sessionId());
        }
    }

    @Test
    void aLockNameMySqlWouldRefuseIsRefusedUpFront() throws Exception {
        DbLockClusterService service = instance("a", stack.config().jdbcUrl());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> service.getView("x".repeat(65)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64");
    }

    /** A started service of its own Camel context, as one Sluice instance has. */
    private DbLockClusterService instance(String id, String url) throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        DbLockClusterService service = new DbLockClusterService();
        service.setId(id);
        service.setUrl(url);
        service.setUser(stack.config().accounts().appUser());
        service.setPassword(stack.config().accounts().appPassword());
        service.setPollMs(POLL_MS);
        service.setSessionTimeout(Duration.ofSeconds(4));
        context.addService(service, true, true);
        context.start();
        contexts.add(context);
        return service;
    }

    private DbLockClusterView view(DbLockClusterService service) throws Exception {
        return (DbLockClusterView) service.getView(lock);
    }

    /** What the view's listeners (Camel's ClusteredRoutePolicy among them) hear: leader or not, at each event. */
    private static List<Boolean> listen(DbLockClusterView view) {
        List<Boolean> heard = new CopyOnWriteArrayList<>();
        view.addEventListener((CamelClusterEventListener.Leadership) (v, leader) -> heard.add(v.getLocalMember().isLeader()));
        return heard;
    }

    private long lockHolder() throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT IS_USED_LOCK(?)")) {
            ps.setString(1, lock);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long holder = rs.getLong(1);
                return rs.wasNull() ? -1 : holder;
            }
        }
    }

    private boolean isFree() throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT IS_FREE_LOCK(?)")) {
            ps.setString(1, lock);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    private boolean sessionExists(long id) throws SQLException {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }
}
