package io.sluice.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;

/** Reading the harness's Elasticsearch node in tests (plain HTTP, what a user would do with curl). */
public final class Search {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final String url;

    public Search(DevStack stack) {
        url = stack.config().elasticsearchUrl();
    }

    /** Documents in the index after a refresh (what a search sees); 0 when the index does not exist yet. */
    public long count(String index) {
        return count(index, null, null);
    }

    /** Documents whose {@code field} has exactly {@code value} (a term query). */
    public long count(String index, String field, String value) {
        try {
            if (send("POST", "/" + index + "/_refresh", null).statusCode() == 404) {
                return 0;
            }
            String query = field == null ? "{\"query\":{\"match_all\":{}}}"
                    : "{\"query\":{\"term\":{\"" + field + "\":" + json.writeValueAsString(value) + "}}}";
            return get("POST", "/" + index + "/_count", query).path("count").asLong();
        } catch (IOException e) {
            return -1; // down: the caller's await sees a wrong number and keeps waiting
        }
    }

    public JsonNode get(String method, String path, String body) throws IOException {
        HttpResponse<String> response = send(method, path, body);
        return json.readTree(response.body());
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
