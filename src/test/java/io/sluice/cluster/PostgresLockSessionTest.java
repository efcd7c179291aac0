package io.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Optional;

import io.sluice.devstack.DevStackConfig;
import io.sluice.devstack.Ports;
import io.sluice.devstack.postgres.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leader election's lock on PostgreSQL: one session at a time, freed when the holder's session ends however it ends. */
class PostgresLockSessionTest {

    private static final DevStackConfig.DbAccounts ACCOUNTS = DevStackConfig.from(n -> Optional.empty()).accounts();
    private static final Duration SILENCE = Duration.ofSeconds(10);

    @TempDir
    static Path home;
    private static EmbeddedPostgres pg;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        int port = Ports.free();
        pg = EmbeddedPostgres.start(home, port, ACCOUNTS);
        url = "jdbc:postgresql://127.0.0.1:" + port + "/" + ACCOUNTS.database();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static LockSession open(String lock) throws Exception {
        return LockSession.open(url, ACCOUNTS.appUser(), ACCOUNTS.appPassword(), lock, SILENCE);
    }

    @Test
    void oneSessionHoldsTheLockUntilItReleasesIt() throws Exception {
        try (LockSession a = open("sluice-cdc.one"); LockSession b = open("sluice-cdc.one")) {
            assertThat(a.tryAcquire()).isTrue();
            assertThat(a.holds()).isTrue();
            assertThat(b.tryAcquire()).isFalse();
            assertThat(b.holds()).isFalse();
            a.release();
            assertThat(b.tryAcquire()).isTrue();
            assertThat(b.holds()).isTrue();
        }
    }

    @Test
    void aSessionEndedByTheServerLosesTheLock() throws Exception {
        try (LockSession a = open("sluice-cdc.two"); LockSession b = open("sluice-cdc.two")) {
            assertThat(a.tryAcquire()).isTrue();
            // as if its machine were lost: the server ends the session (the superuser may)
            try (Connection admin = DriverManager.getConnection(url, "postgres", "");
                 PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
                ps.setInt(1, (int) a.id());
                ps.execute();
            }
            await().atMost(Duration.ofSeconds(5)).until(b::tryAcquire);
            assertThat(b.holds()).isTrue();
        }
    }

    @Test
    void locksOfOtherNamesDoNotCount() throws Exception {
        try (LockSession a = open("sluice-cdc.three"); LockSession b = open("sluice-cdc.four")) {
            assertThat(a.tryAcquire()).isTrue();
            assertThat(b.holds()).isFalse();
            assertThat(b.tryAcquire()).isTrue();
        }
    }
}
