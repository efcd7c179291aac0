package io.sluice.console;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator console's JSON and pages over plain HTTP (issue 22), on the real stack with the dev profile's demo
 * users: who may read and act (401 / 403 JSON, fail closed), and replay exactness — the same letters replayed from two
 * sessions at once are re-published once each, recorded with who and when; a discarded letter is never replayed.
 */
@ExtendWith(SluiceStack.class)
class ConsoleApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String VIEWER = basic("viewer", "viewer");
    static final String SUBMITTER = basic("submitter", "submitter");
    static final String APPROVER = basic("approver", "approver");
    private static RunningSluice sluice;
    private static Topics topics;
    private static Db db;

    @BeforeAll
    static void start(DevStack stack) throws Exception {
        db = new Db(stack);
        topics = new Topics(stack);
        sluice = RunningSluice.on(stack, "console-api").start();
    }

    @AfterAll
    static void stop() throws Exception {
        sluice.stop();
        topics.close();
    }

    @Test
    void theConsoleIsForViewersAndApproversAndOnlyApproversAct() throws Exception {
        List<String> reads = List.of("/api/console/flows", "/api/console/dead-letters", "/api/console/alerts",
                "/api/console/loans", "/api/console/windows");
        for (String path : reads) {
            assertThat(get(path, VIEWER).statusCode()).as(path).isEqualTo(200);
            assertThat(get(path, APPROVER).statusCode()).as(path).isEqualTo(200);
            assertError(get(path, SUBMITTER), 403, "user submitter may not do this: it needs the role viewer or approver");
            assertError(get(path, null), 401, "authentication required");
            assertError(get(path, basic("viewer", "wrong")), 401, "authentication required");
        }
        String letter = "{\"letters\":[{\"topic\":\"" + sluice.property("sluice.sales.dlq-topic") + "\",\"partition\":0,\"offset\":0}]}";
        long recorded = db.count("SELECT COUNT(*) FROM dead_letter_action");
        for (String path : List.of("/api/console/dead-letters/replay", "/api/console/dead-letters/discard", "/api/console/alerts/1/resend")) {
            assertError(post(path, VIEWER, letter), 403, "user viewer may not do this: it needs the role approver");
            assertError(post(path, SUBMITTER, letter), 403, "user submitter may not do this: it needs the role approver");
            assertError(post(path, null, letter), 401, "authentication required");
        }
        // a 403 ran nothing: no action recorded
        assertThat(db.count("SELECT COUNT(*) FROM dead_letter_action")).isEqualTo(recorded);

        // the pages: behind the same Basic authentication, for viewers and approvers
        HttpResponse<String> page = get("/console/", VIEWER);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<title>Sluice console</title>").contains("console.js");
        assertThat(get("/console/console.js", APPROVER).body()).contains("textContent");
        HttpResponse<String> challenge = get("/console/", null);
        assertThat(challenge.statusCode()).isEqualTo(401);
        assertThat(challenge.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"sluice\"");
        assertError(get("/console/", SUBMITTER), 403, "user submitter may not do this: it needs the role viewer or approver");
        assertThat(get("/console", VIEWER).statusCode()).isEqualTo(302);
        assertThat(io.sluice.ops.StartupBanner.text(sluice.context()))
                .contains("http://localhost:" + sluice.property("sluice.http.port") + "/console/");
    }

    @Test
    void theFlowsShowEveryKafkaFlowWithItsCountsAndEveryDependency() throws Exception {
        String sales = sluice.property("sluice.sales.topic");
        for (int i = 0; i < 5; i++) {
            topics.send(sales, null, "{\"item\":\"a\",\"amount\":3,\"time\":" + (100 + i) + "}");
        }
        JsonNode flows = await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(get("/api/console/flows", VIEWER).body()),
                f -> flow(f, "sales-ingest").path("records_in").asLong() >= 5);
        JsonNode row = flow(flows, "sales-ingest");
        assertThat(row.path("state").asText()).isEqualTo("Started");
        assertThat(row.path("topic").asText()).isEqualTo(sales);
        List<String> deps = new ArrayList<>();
        flows.path("dependencies").forEach(d -> deps.add(d.path("name").asText() + "=" + d.path("state").asText()));
        assertThat(deps).contains("kafka=UP", "database=UP", "elasticsearch=UP", "slack=UP", "cdc=UP");
        JsonNode cdc = null;
        for (JsonNode d : flows.path("dependencies")) {
            if (d.path("name").asText().equals("cdc")) {
                cdc = d;
            }
        }
        assertThat(cdc.path("details").path("leader").asText()).isEqualTo("true");
    }

    /** Must show 3: two sessions replaying the same letters at once re-publish each letter once. */
    @Test
    void theSameLettersReplayedFromTwoSessionsAtOnceArePublishedOnceEach() throws Exception {
        String sales = sluice.property("sluice.sales.topic");
        String dlq = sluice.property("sluice.sales.dlq-topic");
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            payloads.add("not a sale " + run + " #" + i);
            topics.send(sales, "k" + i, payloads.get(i));
        }
        List<ConsumerRecord<String, String>> letters = topics.readUntil(dlq, Duration.ofSeconds(30),
                rs -> rs.stream().filter(r -> r.value().contains(run)).count() == payloads.size());
        StringBuilder body = new StringBuilder("{\"letters\":[");
        for (ConsumerRecord<String, String> l : letters) {
            if (l.value().contains(run)) {
                body.append(body.charAt(body.length() - 1) == '[' ? "" : ",").append("{\"topic\":\"").append(dlq)
                        .append("\",\"partition\":").append(l.partition()).append(",\"offset\":").append(l.offset()).append('}');
            }
        }
        String replay = body.append("]}").toString();

        // two sessions, released together
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> sessions = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            sessions.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    return post("/api/console/dead-letters/replay", APPROVER, replay);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        go.countDown();
        Map<String, Integer> outcomes = new HashMap<>();
        for (CompletableFuture<HttpResponse<String>> s : sessions) {
            HttpResponse<String> r = s.join();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JSON.readTree(r.body()).path("results").forEach(o -> outcomes.merge(o.path("outcome").asText(), 1, Integer::sum));
        }
        assertThat(outcomes).containsExactlyInAnyOrderEntriesOf(Map.of("replayed", payloads.size(), "already", payloads.size()));

        // on the source topic: every payload twice (the original and one replay), with its original key
        List<ConsumerRecord<String, String>> onSales = topics.readUntil(sales, Duration.ofSeconds(30),
                rs -> rs.stream().filter(r -> r.value() != null && r.value().contains(run)).count() >= 2L * payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            String p = payloads.get(i);
            List<ConsumerRecord<String, String>> copies = onSales.stream().filter(r -> p.equals(r.value())).toList();
            assertThat(copies).as(p).hasSize(2);
            assertThat(copies).extracting(ConsumerRecord::key).containsOnly("k" + i);
        }
        assertThat(db.count("SELECT COUNT(*) FROM dead_letter_action WHERE dlq_topic = ? AND action = 'replay'"
                + " AND acted_by = 'approver' AND published_ts IS NOT NULL", dlq)).isEqualTo(payloads.size());

        // a third try, later, changes nothing
        JsonNode again = JSON.readTree(post("/api/console/dead-letters/replay", APPROVER, replay).body());
        again.path("results").forEach(o -> assertThat(o.path("outcome").asText()).isEqualTo("already"));
        assertThat(again.path("results").get(0).path("detail").asText()).startsWith("replay by approver at ");
        // the list shows who replayed each letter
        JsonNode listed = JSON.readTree(get("/api/console/dead-letters?topic=" + dlq + "&reason=" + "not%20JSON", VIEWER).body());
        assertThat(listed.path("letters").size()).isGreaterThanOrEqualTo(payloads.size());
        listed.path("letters").forEach(l -> assertThat(l.path("reason").asText().toLowerCase()).contains("not json"));
    }

    @Test
    void aDiscardedLetterIsNeverReplayedAndOnlyDeadLetterTopicsAreAccepted() throws Exception {
        String sales = sluice.property("sluice.sales.topic");
        String dlq = sluice.property("sluice.sales.dlq-topic");
        String payload = "discard me " + UUID.randomUUID();
        topics.send(sales, "d", payload);
        ConsumerRecord<String, String> letter = topics.readUntil(dlq, Duration.ofSeconds(30),
                rs -> rs.stream().anyMatch(r -> r.value().contains(payload))).stream()
                .filter(r -> r.value().contains(payload)).findFirst().orElseThrow();
        String one = "{\"letters\":[{\"topic\":\"" + dlq + "\",\"partition\":" + letter.partition() + ",\"offset\":" + letter.offset() + "}]}";
        JsonNode discarded = JSON.readTree(post("/api/console/dead-letters/discard", APPROVER, one).body());
        assertThat(discarded.path("results").get(0).path("outcome").asText()).isEqualTo("discarded");
        JsonNode replay = JSON.readTree(post("/api/console/dead-letters/replay", APPROVER, one).body());
        assertThat(replay.path("results").get(0).path("outcome").asText()).isEqualTo("already");
        assertThat(replay.path("results").get(0).path("detail").asText()).startsWith("discard by approver");
        assertThat(topics.readAll(sales).stream().filter(r -> payload.equals(r.value()))).hasSize(1);

        assertError(post("/api/console/dead-letters/replay", APPROVER, one.replace(dlq, sales)), 400, "not a dead letter of a dead-letter topic");
        assertError(post("/api/console/dead-letters/replay", APPROVER, "{}"), 400, "the body is");
        assertError(get("/api/console/dead-letters?topic=" + sales, VIEWER), 400, "not a dead-letter topic: " + sales);
        JsonNode missing = JSON.readTree(post("/api/console/dead-letters/replay", APPROVER,
                "{\"letters\":[{\"topic\":\"" + dlq + "\",\"partition\":0,\"offset\":999999}]}").body());
        assertThat(missing.path("results").get(0).path("outcome").asText()).isEqualTo("not-found");
    }

    /**
     * An alert whose post a crash cut off (the ledger left at "sending") is dead-lettered by the flow and shown as
     * unknown; re-sent, Slack gets it once, and a second re-send is refused.
     */
    @Test
    void anAlertCutOffByACrashShowsAsUnknownAndIsReSentOnce(DevStack stack) throws Exception {
        long ratingId = 800_000 + (System.nanoTime() % 99_999);
        String email = "crash-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        // what a Sluice killed during the HTTP call to Slack leaves behind
        db.update("INSERT INTO slack_alert (rating_id, state) VALUES (?, 'sending')", Long.toString(ratingId));
        topics.send(sluice.property("sluice.vip.topic"), Long.toString(ratingId), JSON.writeValueAsString(Map.of(
                "full_name", "Cee Rash", "club_status", "platinum", "email", email, "stars", 2, "message", "lost?",
                "rating_id", ratingId, "rating_time", System.currentTimeMillis())));
        JsonNode alert = await().atMost(Duration.ofSeconds(30)).until(() -> alert(ratingId), a -> a.path("state").asText().equals("unknown"));
        assertThat(alert.path("reason").asText()).startsWith("Sluice stopped while this alert was being posted");
        assertThat(slack(stack, email)).isZero();

        HttpResponse<String> resent = post("/api/console/alerts/" + ratingId + "/resend", APPROVER, "");
        assertThat(resent.statusCode()).as(resent.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> slack(stack, email) == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> alert(ratingId).path("state").asText().equals("sent"));
        assertThat(alert(ratingId).path("resent").path("by").asText()).isEqualTo("approver");
        assertThat(post("/api/console/alerts/" + ratingId + "/resend", APPROVER, "").statusCode()).isEqualTo(409);
        assertThat(post("/api/console/alerts/424242/resend", APPROVER, "").statusCode()).isEqualTo(404);
        assertThat(slack(stack, email)).isEqualTo(1);
    }

    private static JsonNode alert(long ratingId) throws Exception {
        for (JsonNode a : JSON.readTree(get("/api/console/alerts", VIEWER).body()).path("alerts")) {
            if (a.path("rating_id").asText().equals(Long.toString(ratingId))) {
                return a;
            }
        }
        return JSON.missingNode();
    }

    private static long slack(DevStack stack, String email) {
        return stack.slack().messages().stream().filter(m -> m.path("text").asText().contains(email)).count();
    }

    private static JsonNode flow(JsonNode flows, String id) {
        for (JsonNode f : flows.path("flows")) {
            if (f.path("flow").asText().equals(id)) {
                return f;
            }
        }
        return JSON.missingNode();
    }

    private static void assertError(HttpResponse<String> r, int status, String errorStart) throws Exception {
        assertThat(r.statusCode()).as(r.uri() + ": " + r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(r.body()).path("error").asText()).startsWith(errorStart);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String path, String auth) throws Exception {
        return HTTP.send(builder(path, auth).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String auth, String body) throws Exception {
        return HTTP.send(builder(path, auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder builder(String path, String auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + sluice.property("sluice.http.port") + path))
                .timeout(Duration.ofSeconds(30));
        return auth == null ? b : b.header("Authorization", auth);
    }
}
