package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sluice.devstack.database=postgres: the stack runs PostgreSQL in place of MariaDB, and stops it with itself. */
class DevStackPostgresTest {

    @TempDir
    Path data;

    @Test
    void runsPostgresInsteadOfMariaDbAndStopsIt() throws Exception {
        DevStackConfig config = DevStackConfig.onFreePorts(data).withPostgres();
        assertThat(config.jdbcUrl()).startsWith("jdbc:postgresql://localhost:" + config.postgresPort() + "/demo");
        try (DevStack stack = DevStack.start(config);
             Connection c = DriverManager.getConnection(config.jdbcUrl(), config.accounts().appUser(),
                     config.accounts().appPassword());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM customers")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(20);
            assertThat(data.resolve("postgres/data/PG_VERSION")).exists();
            assertThat(data.resolve("mariadb")).doesNotExist();
        }
        // nothing left listening: the server stopped with the stack
        try (ServerSocket again = new ServerSocket(config.postgresPort())) {
            assertThat(again.isBound()).isTrue();
        }
    }
}
