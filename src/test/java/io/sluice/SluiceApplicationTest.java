package io.sluice;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.devstack.Ports;
import io.sluice.harness.SluiceStack;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Sluice as the jar starts it, pointed at the harness's services: health reports every dependency. */
@ExtendWith(SluiceStack.class)
class SluiceApplicationTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void healthIsUpAndNamesEveryDependency(DevStack stack) throws Exception {
        int managementPort = Ports.free();
        Properties overrides = SluiceStack.properties(stack);
        overrides.setProperty("camel.management.port", Integer.toString(managementPort));
        Main main = Sluice.create("dev", overrides).main();
        main.start();
        try {
            URI health = URI.create("http://localhost:" + managementPort + "/observe/health");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(health).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode body = json.readTree(response.body());
                assertThat(body.path("status").asText()).as(response.body()).isEqualTo("UP");
                assertThat(checkIds(body)).contains("kafka", "database", "elasticsearch", "slack");
            });
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + managementPort + "/observe/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("jvm_memory_used_bytes");
        } finally {
            main.stop();
        }
    }

    @Test
    void healthIsDownWhenADependencyDoesNotAnswer(DevStack stack) throws Exception {
        int managementPort = Ports.free();
        Properties overrides = SluiceStack.properties(stack);
        overrides.setProperty("camel.management.port", Integer.toString(managementPort));
        overrides.setProperty("sluice.elasticsearch.url", "http://localhost:" + Ports.free());
        Main main = Sluice.create("dev", overrides).main();
        main.start();
        try {
            URI health = URI.create("http://localhost:" + managementPort + "/observe/health");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode body = json.readTree(http.send(HttpRequest.newBuilder(health).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertThat(body.path("status").asText()).isEqualTo("DOWN");
                assertThat(downIds(body)).containsExactly("elasticsearch");
            });
        } finally {
            main.stop();
        }
    }

    private static List<String> checkIds(JsonNode health) {
        List<String> ids = new ArrayList<>();
        health.path("checks").forEach(c -> ids.add(c.path("name").asText()));
        return ids;
    }

    private static List<String> downIds(JsonNode health) {
        List<String> ids = new ArrayList<>();
        health.path("checks").forEach(c -> {
            if (c.path("status").asText().equals("DOWN")) {
                ids.add(c.path("name").asText());
            }
        });
        return ids;
    }
}
