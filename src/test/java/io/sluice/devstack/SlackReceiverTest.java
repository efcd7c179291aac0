package io.sluice.devstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.harness.SluiceStack;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SluiceStack.class)
class SlackReceiverTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void clear(DevStack stack) {
        stack.slack().clear();
        stack.slack().injectFault(200, 0, 0);
    }

    @Test
    void webhookPostShowsUpInMessages(DevStack stack) throws Exception {
        HttpResponse<String> post = post(stack, "/services/T000/B000/XXXX", "{\"text\":\"hello `ops`\"}");
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.body()).isEqualTo("ok");

        JsonNode messages = json.readTree(get(stack, "/messages").body());
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).path("text").asText()).isEqualTo("hello `ops`");
        assertThat(messages.get(0).path("path").asText()).isEqualTo("/services/T000/B000/XXXX");
    }

    @Test
    void rejectsLikeSlackDoes(DevStack stack) throws Exception {
        assertThat(post(stack, "/services/x", "not json").body()).isEqualTo("invalid_payload");
        assertThat(post(stack, "/services/x", "{\"username\":\"bot\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> noToken = post(stack, "/api/chat.postMessage", "{\"channel\":\"C1\",\"text\":\"hi\"}");
        assertThat(json.readTree(noToken.body()).path("error").asText()).isEqualTo("not_authed");
        assertThat(json.readTree(get(stack, "/messages").body())).isEmpty();
    }

    @Test
    void injectedRateLimitCarriesRetryAfterThenRecovers(DevStack stack) throws Exception {
        post(stack, "/control/faults", "{\"status\":429,\"retryAfter\":7,\"count\":1}");
        HttpResponse<String> limited = post(stack, "/services/x", "{\"text\":\"one\"}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(post(stack, "/services/x", "{\"text\":\"one\"}").statusCode()).isEqualTo(200);
        assertThat(json.readTree(get(stack, "/messages").body())).hasSize(1);
    }

    @Test
    void keepsOnlyTheLastHundred(DevStack stack) throws Exception {
        for (int i = 0; i < 105; i++) {
            post(stack, "/services/x", "{\"text\":\"m" + i + "\"}");
        }
        JsonNode messages = json.readTree(get(stack, "/messages").body());
        assertThat(messages).hasSize(100);
        assertThat(messages.get(0).path("text").asText()).isEqualTo("m5");
        assertThat(messages.get(99).path("text").asText()).isEqualTo("m104");
    }

    private HttpResponse<String> post(DevStack stack, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stack.config().slackUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(DevStack stack, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stack.config().slackUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
