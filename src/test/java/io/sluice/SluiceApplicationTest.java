package io.sluice;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.devstack.Ports;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
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
        RunningSluice sluice = RunningSluice.on(stack, "app").start();
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode body = health(sluice);
                assertThat(body.path("status").asText()).as(body.toString()).isEqualTo("UP");
                assertThat(checkIds(body)).contains("kafka", "database", "elasticsearch", "slack", "cdc", "customer-table");
            });
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                    + sluice.property("camel.management.port") + "/observe/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("jvm_memory_used_bytes");
        } finally {
            sluice.stop();
        }
    }

    @Test
    void healthIsDownWhenADependencyDoesNotAnswer(DevStack stack) throws Exception {
        RunningSluice sluice = RunningSluice.on(stack, "app-down")
                .with("sluice.elasticsearch.url", "http://localhost:" + Ports.free()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode body = health(sluice);
                assertThat(body.path("status").asText()).isEqualTo("DOWN");
                assertThat(downIds(body)).containsExactly("elasticsearch");
            });
        } finally {
            sluice.stop();
        }
    }

    /** A failed Debezium engine leaves the Camel route "started"; health must still say CDC is down. */
    @Test
    void healthIsDownNamingCdcWhenTheDebeziumEngineFails(DevStack stack) throws Exception {
        RunningSluice sluice = RunningSluice.on(stack, "app-cdc-down").with("sluice.cdc.password", "wrong").start();
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode body = health(sluice);
                assertThat(body.path("status").asText()).isEqualTo("DOWN");
                assertThat(downIds(body)).contains("cdc");
            });
            assertThat(sluice.context().getRouteController().getRouteStatus("customer-cdc").isStarted()).isTrue();
        } finally {
            sluice.stop();
        }
    }

    private JsonNode health(RunningSluice sluice) throws Exception {
        URI uri = URI.create("http://localhost:" + sluice.property("camel.management.port") + "/observe/health");
        return json.readTree(http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
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
