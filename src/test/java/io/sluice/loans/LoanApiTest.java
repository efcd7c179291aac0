package io.sluice.loans;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

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
 * The loans HTTP API on the real stack (issue 18), with the dev profile's demo users: every path per role
 * (401 / 403 / 201 / 200 / 202 / 400 / 404), a submission followed from submitted to approved, and the OpenAPI
 * document checked against what the API answers.
 */
@ExtendWith(SluiceStack.class)
class LoanApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String VIEWER = basic("viewer", "viewer");
    private static final String SUBMITTER = basic("submitter", "submitter");
    private static final String APPROVER = basic("approver", "approver");
    private static RunningSluice sluice;
    private static Topics topics;
    private static Db db;

    @BeforeAll
    static void start(DevStack stack) throws Exception {
        db = new Db(stack);
        topics = new Topics(stack);
        sluice = RunningSluice.on(stack, "loanapi").start();
    }

    @AfterAll
    static void stop() throws Exception {
        sluice.stop();
        topics.close();
    }

    @Test
    void withoutValidCredentialsEveryPathIs401AsJson() throws Exception {
        String loan = "/api/loans/145/" + loanId();
        for (String auth : new String[] {null, basic("approver", "wrong"), basic("nobody", "approver"), "Bearer abc"}) {
            for (HttpResponse<String> r : List.of(post("/api/loans", auth, request(145, loanId(), 1000)),
                    get(loan, auth), post(loan + "/approval", auth, ""), get("/api/openapi.json", auth))) {
                assertThat(r.statusCode()).as(r.uri() + " with " + auth).isEqualTo(401);
                assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
                assertThat(JSON.readTree(r.body()).path("error").asText()).startsWith("authentication required");
            }
        }
        assertThat(post(loan + "/approval", null, "").headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"sluice\"");
    }

    @Test
    void eachRoleMayDoOnlyItsPartAndIsOtherwise403() throws Exception {
        String loanId = loanId();
        String loan = "/api/loans/145/" + loanId;
        // viewer: reads, neither submits nor approves
        assertForbidden(post("/api/loans", VIEWER, request(145, loanId, 2000)), "viewer", "submitter");
        assertForbidden(post(loan + "/approval", VIEWER, ""), "viewer", "approver");
        assertThat(get(loan, VIEWER).statusCode()).isEqualTo(404);
        // submitter: submits, neither reads nor approves
        assertForbidden(get(loan, SUBMITTER), "submitter", "viewer or approver");
        assertForbidden(post(loan + "/approval", SUBMITTER, ""), "submitter", "approver");
        assertThat(post("/api/loans", SUBMITTER, request(145, loanId, 2000)).statusCode()).isEqualTo(202);
        // approver: approves and reads, does not submit
        assertForbidden(post("/api/loans", APPROVER, request(145, loanId(), 2000)), "approver", "submitter");
        awaitStatus(loanId, "received");
        assertThat(get(loan, APPROVER).statusCode()).isEqualTo(200);
        assertThat(post(loan + "/approval", APPROVER, "").statusCode()).isEqualTo(201);
        assertThat(post(loan + "/approval", APPROVER, "").statusCode()).isEqualTo(200);
        // a 403 ran nothing: no disbursement for a loan a viewer tried to approve
        String other = loanId();
        post("/api/loans", SUBMITTER, request(146, other, 3000));
        awaitStatus(146, other, "received");
        assertForbidden(post("/api/loans/146/" + other + "/approval", VIEWER, ""), "viewer", "approver");
        assertThat(db.count("SELECT COUNT(*) FROM loan_disburse WHERE loan_id = ?", other)).isZero();
    }

    /** Must show: submitted over HTTP, received, approved by approver; status and event carry the audit. */
    @Test
    void aSubmissionIsReceivedThenApprovedAndItsStatusAndEventCarryWhoAndWhen() throws Exception {
        String loanId = loanId();
        String loan = "/api/loans/201/" + loanId;
        // hold the requests flow so that "submitted" (recorded, not yet in loanrequest) can be seen
        sluice.context().getRouteController().stopRoute("loan-requests");
        HttpResponse<String> accepted;
        try {
            // a request header meant to steer the producer is not obeyed (nor copied onto the record)
            accepted = send(builder("/api/loans", SUBMITTER).header("Content-Type", "application/json")
                    .header("kafka.OVERRIDE_TOPIC", sluice.property("sluice.loans.disbursement-topic"))
                    .header("sluiceApiStatus", "202").POST(HttpRequest.BodyPublishers.ofString(request(201, loanId, 25000))));
            assertThat(accepted.statusCode()).isEqualTo(202);
            assertThat(accepted.headers().firstValue("Location")).hasValue(loan);
            assertThat(JSON.readTree(accepted.body()).path("status").asText()).isEqualTo("submitted");
            JsonNode submitted = JSON.readTree(get(loan, VIEWER).body());
            assertThat(submitted.path("status").asText()).isEqualTo("submitted");
            assertThat(submitted.path("loan_amount").asInt()).isEqualTo(25000);
            assertThat(submitted.path("first_name").asText()).isEqualTo("Ada");
            assertThat(submitted.has("disbursement")).isFalse();
        } finally {
            sluice.context().getRouteController().startRoute("loan-requests");
        }
        // published to loan_request keyed by (cust_ids, loan_id), the body the topic takes
        ConsumerRecord<String, String> record = topics.readUntil(sluice.property("sluice.loans.request-topic"), Duration.ofSeconds(30),
                rs -> rs.stream().anyMatch(r -> r.value().contains(loanId))).stream().filter(r -> r.value().contains(loanId)).findFirst().orElseThrow();
        assertThat(JSON.readTree(record.key())).isEqualTo(JSON.readTree("{\"cust_ids\":201,\"loan_id\":\"" + loanId + "\"}"));
        assertThat(JSON.readTree(record.value()).path("loan_amount").asInt()).isEqualTo(25000);
        assertThat(headerNames(record)).as("the request's headers, Authorization above all, stay off Kafka").isEmpty();

        JsonNode received = awaitStatus(201, loanId, "received");
        assertThat(received.path("country").asText()).isEqualTo("UK");

        Instant before = Instant.now().minusSeconds(2);
        HttpResponse<String> approved = post(loan + "/approval", APPROVER, "");
        assertThat(approved.statusCode()).isEqualTo(201);
        JsonNode status = JSON.readTree(get(loan, VIEWER).body());
        assertThat(status.path("status").asText()).isEqualTo("approved");
        assertThat(status.path("approved_by").asText()).isEqualTo("approver");
        Instant approvedAt = Instant.parse(status.path("approved_at").asText());
        assertThat(approvedAt).isBetween(before, Instant.now().plusSeconds(2));
        assertThat(status.path("disbursement").path("monthly_inst").asInt()).isEqualTo(2438);
        assertThat(status.path("disbursement").path("loan_amount").asInt()).isEqualTo(25000);

        ConsumerRecord<String, String> event = topics.readUntil(sluice.property("sluice.loans.disbursement-topic"), Duration.ofSeconds(30),
                rs -> rs.stream().anyMatch(r -> loanId.equals(r.key()))).stream().filter(r -> loanId.equals(r.key())).findFirst().orElseThrow();
        JsonNode disbursement = JSON.readTree(event.value());
        assertThat(disbursement.path("approved_by").asText()).isEqualTo("approver");
        assertThat(Instant.parse(disbursement.path("approved_at").asText())).isEqualTo(approvedAt);
        assertThat(disbursement.path("monthly_inst").asInt()).isEqualTo(2438);
        assertThat(JSON.readTree(approved.body())).isEqualTo(disbursement);
        // the event's only header is the one its JSON marshalling sets; nothing of the approval request
        assertThat(headerNames(event)).containsExactly("Content-Type");
        assertThat(topics.readAll(sluice.property("sluice.loans.disbursement-topic")).stream()
                .filter(r -> r.value().contains(loanId)).count()).as("one event, and no submission on the disbursement topic").isEqualTo(1);
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT approved_by, submitted_by FROM loan_disburse d JOIN loan_submission s USING (cust_ids, loan_id) WHERE loan_id = ?")) {
            ps.setString(1, loanId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("approver");
                assertThat(rs.getString(2)).isEqualTo("submitter");
            }
        }
    }

    @Test
    void anInvalidSubmissionIs400WithEveryReason() throws Exception {
        HttpResponse<String> r = post("/api/loans", SUBMITTER,
                "{\"cust_ids\":\"abc\",\"loan_amount\":-5,\"first_name\":\"" + "x".repeat(60) + "\",\"phone\":123}");
        assertThat(r.statusCode()).isEqualTo(400);
        List<String> reasons = new ArrayList<>();
        JSON.readTree(r.body()).path("reasons").forEach(n -> reasons.add(n.asText()));
        assertThat(reasons).containsExactly("cust_ids must be an integer, got \"abc\"", "loan_id is missing",
                "loan_amount must be a positive whole amount, got -5", "first_name is longer than 50 characters",
                "phone must be a string, got 123");
        assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo(String.join("; ", reasons));

        HttpResponse<String> notJson = post("/api/loans", SUBMITTER, "<loan/>");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).path("error").asText()).startsWith("not JSON");
    }

    @Test
    void submittingTheSameLoanAgainIsTheSameSubmissionAndOtherValuesAre409() throws Exception {
        String loanId = loanId();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = post("/api/loans", SUBMITTER, request(300, loanId, 4000));
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(r.headers().firstValue("Location")).hasValue("/api/loans/300/" + loanId);
        }
        awaitStatus(300, loanId, "received");
        HttpResponse<String> other = post("/api/loans", SUBMITTER, request(300, loanId, 9000));
        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(other.body()).path("error").asText()).contains("submitted before with other values (loan_amount)");
        assertThat(db.count("SELECT COUNT(*) FROM loan_submission WHERE loan_id = ?", loanId)).isEqualTo(1);
        assertThat(db.count("SELECT COUNT(*) FROM loanrequest WHERE loan_id = ?", loanId)).isEqualTo(1);
        assertThat(JSON.readTree(get("/api/loans/300/" + loanId, VIEWER).body()).path("loan_amount").asInt()).isEqualTo(4000);
    }

    @Test
    void anUnknownLoanIs404AndAMalformedPath400() throws Exception {
        String loanId = loanId();
        HttpResponse<String> unknown = get("/api/loans/7/" + loanId, VIEWER);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error").asText()).isEqualTo("unknown loan");
        HttpResponse<String> approval = post("/api/loans/7/" + loanId + "/approval", APPROVER, "");
        assertThat(approval.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(approval.body()).path("error").asText()).isEqualTo("unknown loan");
        HttpResponse<String> malformed = get("/api/loans/abc/" + loanId, VIEWER);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).path("error").asText()).isEqualTo("cust_ids must be an integer, got \"abc\"");
        assertThat(post("/api/loans/-3/" + loanId + "/approval", APPROVER, "").statusCode()).isEqualTo(400);
    }

    /**
     * The OpenAPI document is kept true: it names exactly the API's operations, and whatever each answers — to
     * every role, for a loan that exists and one that does not, to a valid and an invalid body — is a response it
     * documents.
     */
    @Test
    void theOpenApiDocumentDescribesEveryOperationAndEveryAnswer() throws Exception {
        HttpResponse<String> doc = get("/api/openapi.json", VIEWER);
        assertThat(doc.statusCode()).isEqualTo(200);
        JsonNode api = JSON.readTree(doc.body());
        assertThat(api.path("openapi").asText()).startsWith("3.");
        assertThat(api.path("info").path("title").asText()).isEqualTo("Sluice loans API");
        assertThat(api.path("components").path("securitySchemes").path("basic").path("scheme").asText()).isEqualTo("basic");
        String base = api.path("servers").path(0).path("url").asText().replaceAll("^https?://[^/]+", "");
        assertThat(base).isEqualTo("/api");

        Set<String> operations = new HashSet<>();
        String known = loanId();
        post("/api/loans", SUBMITTER, request(400, known, 1500));
        awaitStatus(400, known, "received");
        for (var path : (Iterable<Map.Entry<String, JsonNode>>) api.path("paths")::fields) {
            for (var op : (Iterable<Map.Entry<String, JsonNode>>) path.getValue()::fields) {
                String method = op.getKey().toUpperCase();
                operations.add(method + " " + path.getKey());
                Set<String> documented = new HashSet<>();
                op.getValue().path("responses").fieldNames().forEachRemaining(documented::add);
                for (String cust : new String[] {"400", "abc"}) {
                    for (String loan : new String[] {known, loanId()}) {
                        for (String body : new String[] {request(400, loanId(), 1500), "{}"}) {
                            for (String auth : new String[] {null, VIEWER, SUBMITTER, APPROVER}) {
                                String uri = base + path.getKey().replace("{custId}", cust).replace("{loanId}", loan)
                                        .replace("{ratingId}", cust);
                                HttpResponse<String> r = method.equals("GET") ? get(uri, auth) : post(uri, auth, body);
                                assertThat(documented).as(method + " " + uri + " answered " + r.statusCode() + ": " + r.body())
                                        .contains(Integer.toString(r.statusCode()));
                            }
                        }
                    }
                }
            }
        }
        assertThat(operations).containsExactlyInAnyOrder("POST /loans", "GET /loans/{custId}/{loanId}",
                "POST /loans/{custId}/{loanId}/approval",
                // the operator console's (issue 22; routes/console-api.yaml)
                "GET /console/flows", "GET /console/dead-letters", "POST /console/dead-letters/replay",
                "POST /console/dead-letters/discard", "GET /console/alerts", "POST /console/alerts/{ratingId}/resend",
                "GET /console/loans", "GET /console/windows");
    }

    private static void assertForbidden(HttpResponse<String> r, String user, String needed) throws Exception {
        assertThat(r.statusCode()).as(r.uri().toString()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("user " + user + " may not do this: it needs the role " + needed);
    }

    private static JsonNode awaitStatus(String loanId, String status) {
        return awaitStatus(145, loanId, status);
    }

    private static JsonNode awaitStatus(int cust, String loanId, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            last[0] = JSON.readTree(get("/api/loans/" + cust + "/" + loanId, VIEWER).body());
            return status.equals(last[0].path("status").asText());
        });
        return last[0];
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String request(int cust, String loanId, int amount) {
        return "{\"cust_ids\":" + cust + ",\"loan_id\":\"" + loanId + "\",\"loan_amount\":" + amount
                + ",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\",\"country\":\"UK\",\"phone\":\"+44-1\"}";
    }

    private static List<String> headerNames(ConsumerRecord<String, String> record) {
        List<String> names = new ArrayList<>();
        record.headers().forEach(h -> names.add(h.key()));
        return names;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
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

    private static String loanId() {
        return "H" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toUpperCase();
    }
}
