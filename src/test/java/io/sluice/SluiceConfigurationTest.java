package io.sluice;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class SluiceConfigurationTest {

    @Test
    void profileComesFromTheWorkingDirectoryFileBeforeTheJarsCopy(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "camel.main.profile = prod\n");
        assertThat(Sluice.profile(file)).isEqualTo("prod");
        // no file next to the jar: the copy inside it decides
        assertThat(Sluice.profile(dir.resolve("absent.properties"))).isEqualTo("dev");
    }

    @Test
    void systemPropertyWinsOverFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "camel.main.profile = dev\n");
        System.setProperty("camel.main.profile", "prod");
        try {
            assertThat(Sluice.profile(file)).isEqualTo("prod");
        } finally {
            System.clearProperty("camel.main.profile");
        }
    }

    @Test
    void devProfileRunsTheEmbeddedStackAndPointsEveryEndpointAtIt() {
        PropertiesComponent pc = properties("dev");
        assertThat(pc.resolveProperty("sluice.devstack.enabled")).hasValue("true");
        assertThat(pc.resolveProperty("sluice.kafka.brokers")).hasValue("localhost:9092");
        assertThat(pc.resolveProperty("sluice.db.url")).hasValue("jdbc:mariadb://localhost:3307/demo");
        assertThat(pc.resolveProperty("sluice.elasticsearch.url")).hasValue("http://localhost:9200");
        assertThat(pc.resolveProperty("sluice.slack.webhook.secret")).hasValue("http://localhost:8089/services/sluice-dev");
        // the demo users, unless the environment names a users file
        assertThat(pc.resolveProperty("sluice.http.users-file"))
                .hasValue(System.getenv().getOrDefault("SLUICE_HTTP_USERS_FILE", "http/demo-users.properties"));
    }

    @Test
    void prodProfileLeavesTheStackOffAndReadsEndpointsFromTheEnvironment() {
        PropertiesComponent pc = properties("prod");
        assertThat(pc.resolveProperty("sluice.devstack.enabled")).hasValue("false");
        String expected = System.getenv().getOrDefault("KAFKA_BROKERS", "localhost:9092");
        assertThat(pc.resolveProperty("sluice.kafka.brokers")).hasValue(expected);
        // no API users but those the environment names: without them Sluice does not start (HttpApiSecurityTest)
        assertThat(pc.resolveProperty("sluice.http.users-file")).hasValue(System.getenv().getOrDefault("SLUICE_HTTP_USERS_FILE", ""));
        assertThat(pc.resolveProperty("camel.server.authenticationEnabled")).hasValue("true");
    }

    private static PropertiesComponent properties(String profile) {
        DefaultCamelContext context = new DefaultCamelContext();
        PropertiesComponent pc = context.getPropertiesComponent();
        pc.setLocation(Sluice.propertyLocations(profile));
        return pc;
    }
}
