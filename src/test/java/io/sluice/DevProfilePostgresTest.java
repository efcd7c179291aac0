package io.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.Ports;
import io.sluice.harness.SluiceProcess;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code SLUICE_DEVSTACK_DATABASE=postgres java -jar target/sluice.jar} (issue 20): Sluice in the dev profile with a
 * stack of its own on PostgreSQL, given nothing but its ports and data directory — no database URL or port, as a
 * user gives none. Health turns UP with CDC streaming from the embedded PostgreSQL, a customer inserted by the app
 * account enriches the next rating of that user, and SIGTERM stops Sluice and every service it started.
 */
class DevProfilePostgresTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void startsOnItsOwnPostgresAndEnrichesACustomerInsertedWithSql() throws Exception {
        String dir = "devpg-" + UUID.randomUUID().toString().substring(0, 8);
        int kafka = Ports.free();
        int postgres = Ports.free();
        int elasticsearch = Ports.free();
        int management = Ports.free();
        Properties p = new Properties();
        p.setProperty("sluice.devstack.database", "postgres");
        p.setProperty("sluice.devstack.data-dir", Path.of("target", "flow-tests", dir, "data").toAbsolutePath().toString());
        p.setProperty("sluice.devstack.kafka.port", Integer.toString(kafka));
        p.setProperty("sluice.devstack.kafka.controller-port", Integer.toString(Ports.free()));
        p.setProperty("sluice.devstack.postgres.port", Integer.toString(postgres));
        p.setProperty("sluice.devstack.mariadb.port", Integer.toString(Ports.free()));
        p.setProperty("sluice.devstack.elasticsearch.port", Integer.toString(elasticsearch));
        p.setProperty("sluice.devstack.slack.port", Integer.toString(Ports.free()));
        p.setProperty("sluice.http.port", Integer.toString(Ports.free()));
        p.setProperty("camel.management.port", Integer.toString(management));
        SluiceProcess sluice = SluiceProcess.withOwnStack(dir, p).heap("768m").start();
        try {
            // the whole health: Kafka, the database, Elasticsearch, Slack, CDC and the customer table
            JsonNode health = await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> health(management), h -> "UP".equals(h.path("status").asText()));
            assertThat(check(health, "cdc").path("status").asText()).isEqualTo("UP");
            // this instance streams (it holds the advisory lock), and its replication slot exists: the lag gauge
            // says -1 while there is none
            assertThat(sluice.leadsCdc()).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> sluice.gauge("sluice_cdc_slot_lag_bytes"), lag -> lag != null && lag >= 0);

            int id;
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + postgres + "/demo", "sluice", "sluice");
                 PreparedStatement ps = c.prepareStatement("INSERT INTO customers (first_name, last_name, email, gender, club_status)"
                         + " VALUES ('Pia', 'Postgres', 'pia.postgres@example.com', 'Female', 'gold') RETURNING id")) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getInt(1);
                }
            }
            assertThat(id).as("the sequence moved past the 20 demo customers").isGreaterThan(20);
            try (Topics topics = new Topics("localhost:" + kafka)) {
                // ratings are sent until one is enriched: the first may come before CDC has the new row
                long ratingId = 8_000_000_000L + id;
                ConsumerRecord<String, String> enriched = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> {
                            topics.send("ratings", null, "{\"rating_id\":" + ratingId + ",\"user_id\":" + id
                                    + ",\"stars\":4,\"channel\":\"web\",\"rating_time\":1}");
                            return topics.readAll("ratings-enriched").stream()
                                    .filter(r -> Long.toString(ratingId).equals(r.key())).findFirst().orElse(null);
                        }, r -> r != null);
                JsonNode rating = JSON.readTree(enriched.value());
                assertThat(rating.path("club_status").asText()).isEqualTo("gold");
                assertThat(rating.path("full_name").asText()).isEqualTo("Pia Postgres");
            }
        } finally {
            if (sluice.alive()) {
                sluice.stop(Duration.ofSeconds(90));
            }
        }
        // nothing it started is left: the database and Elasticsearch ports are free again
        for (int port : new int[] {postgres, elasticsearch, kafka}) {
            await().atMost(Duration.ofSeconds(30)).until(() -> free(port));
        }
    }

    private JsonNode health(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/observe/health"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.path("checks")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + health);
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return s.isBound();
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
