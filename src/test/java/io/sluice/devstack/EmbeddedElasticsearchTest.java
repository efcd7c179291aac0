package io.sluice.devstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.harness.SluiceStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SluiceStack.class)
class EmbeddedElasticsearchTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void rootReportsAnElasticsearch92Node(DevStack stack) throws Exception {
        JsonNode root = json.readTree(send(stack, "GET", "/", null).body());
        assertThat(root.path("version").path("number").asText()).startsWith("9.2.");
        assertThat(root.path("cluster_name").asText()).isEqualTo("sluice-dev");
    }

    @Test
    void indexedDocumentIsFoundBySearch(DevStack stack) throws Exception {
        send(stack, "PUT", "/harness-ratings", """
                {"mappings":{"properties":{"rating_time":{"type":"date","format":"epoch_millis"},
                 "club_status":{"type":"keyword"},"message":{"type":"text"}}}}""");
        HttpResponse<String> put = send(stack, "PUT", "/harness-ratings/_doc/604087?refresh=true", """
                {"rating_time":1528800546808,"club_status":"platinum","message":"the wifi never worked"}""");
        assertThat(put.statusCode()).isEqualTo(201);

        JsonNode hits = json.readTree(send(stack, "POST", "/harness-ratings/_search", """
                {"query":{"bool":{"filter":[{"term":{"club_status":"platinum"}}],
                 "must":[{"match":{"message":"wifi"}}]}}}""").body()).path("hits");
        assertThat(hits.path("total").path("value").asInt()).isEqualTo(1);
        assertThat(hits.path("hits").get(0).path("_id").asText()).isEqualTo("604087");
    }

    private HttpResponse<String> send(DevStack stack, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.config().elasticsearchUrl() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
