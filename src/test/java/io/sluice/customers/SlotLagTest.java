package io.sluice.customers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Optional;

import io.sluice.devstack.DevStackConfig;
import io.sluice.devstack.Ports;
import io.sluice.devstack.postgres.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The slot-lag figure on a real PostgreSQL: unknown without a slot, growing while nobody consumes the slot. */
class SlotLagTest {

    private static final DevStackConfig.DbAccounts ACCOUNTS = DevStackConfig.from(n -> Optional.empty()).accounts();

    @TempDir
    Path home;

    @Test
    void growsWithWritesTheSlotHasNotConfirmed() throws Exception {
        int port = Ports.free();
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(home, port, ACCOUNTS)) {
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/" + ACCOUNTS.database();
            PGSimpleDataSource app = new PGSimpleDataSource();
            app.setURL(url);
            app.setUser(ACCOUNTS.appUser());
            app.setPassword(ACCOUNTS.appPassword());
            SlotLag lag = new SlotLag(() -> app, "lag_probe");
            assertThat(lag.bytes()).isEqualTo(-1);
            try (Connection cdc = DriverManager.getConnection(url, ACCOUNTS.cdcUser(), ACCOUNTS.cdcPassword());
                 PreparedStatement ps = cdc.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
                ps.setString(1, "lag_probe");
                ps.execute();
            }
            double before = lag.bytes();
            assertThat(before).isGreaterThanOrEqualTo(0);
            try (Connection c = app.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO sales (event_id, item, amount, time) VALUES (?, 'a', 1, 1)")) {
                for (int i = 0; i < 200; i++) {
                    ps.setString(1, "lag-" + i);
                    ps.executeUpdate();
                }
            }
            assertThat(lag.bytes()).isGreaterThan(before);
        }
    }
}
