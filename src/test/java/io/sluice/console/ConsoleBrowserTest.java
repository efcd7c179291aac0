package io.sluice.console;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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

import static io.sluice.console.ConsoleApiTest.APPROVER;
import static io.sluice.console.ConsoleApiTest.SUBMITTER;
import static io.sluice.console.ConsoleApiTest.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator console in a real headless Chromium against one Sluice on the real stack (issue 22, "Must show"):
 * a viewer sees the flows' numbers move and cannot act (every button answers 403); an approver replays a loan
 * approval that was dead-lettered because its request had not arrived, approves a loan from the Loans page, and
 * re-sends a failed VIP alert, which reaches the Slack receiver once. Each page is saved under
 * target/console-screenshots/.
 */
@ExtendWith(SluiceStack.class)
class ConsoleBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static DevStack stack;
    private static RunningSluice sluice;
    private static Topics topics;
    private static Db db;
    private static ConsoleBrowser browser;

    @BeforeAll
    static void start(DevStack devStack) throws Exception {
        stack = devStack;
        db = new Db(stack);
        topics = new Topics(stack);
        sluice = RunningSluice.on(stack, "console-ui")
                // an approval waits 1 s for its request, not 30, before it is dead-lettered
                .with("sluice.loans.approval-retries", "1")
                .with("sluice.slack.attempts", "1").with("sluice.slack.retry-delay-ms", "100")
                .start();
        Path profile = Files.createTempDirectory(Path.of("target"), "chromium-profile-");
        browser = new ConsoleBrowser("http://localhost:" + sluice.property("sluice.http.port"), profile);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            stack.slack().injectFault(200, 0, 0);
            sluice.stop();
            topics.close();
        }
    }

    @Test
    void aViewerSeesTheFlowsNumbersChange() throws Exception {
        browser.as("viewer", VIEWER).open("flows");
        String row = "#flows-table tr[data-flow='sales-ingest']";
        await().atMost(WAIT).until(() -> browser.text(row + " td.records"), t -> !t.isEmpty());
        long before = number(browser.text(row + " td.records"));
        String sales = sluice.property("sluice.sales.topic");
        for (int i = 0; i < 20; i++) {
            topics.send(sales, null, "{\"item\":\"" + (i % 3 == 0 ? "b" : "a") + "\",\"amount\":" + (i + 1) + ",\"time\":" + i + "}");
        }
        // the page polls by itself: the count moves without a reload, and so does the rate
        await().atMost(WAIT).until(() -> number(browser.text(row + " td.records")) >= before + 20);
        assertThat(browser.text(row + " td:nth-child(2)")).isEqualTo("Started");
        await().atMost(WAIT).until(() -> browser.text("#deps li[data-dep='kafka'] .state"), "UP"::equals);
        assertThat(browser.text("#deps li[data-dep='database'] .state")).isEqualTo("UP");
        assertThat(browser.text("#deps li[data-dep='cdc']")).contains("leader: true");
        browser.screenshot("flows");
        browser.width(390, 844);
        // at phone width the page itself does not scroll sideways (a wide table scrolls in its own box)
        await().atMost(WAIT).until(() -> ((Number) browser.script("return document.documentElement.scrollWidth")).intValue()
                <= ((Number) browser.script("return window.innerWidth")).intValue());
        browser.screenshot("flows-phone");
        browser.width(1280, 1000);

        // by keyboard: a page is a button that Enter opens
        browser.find("nav button[data-page='loans']").sendKeys(org.openqa.selenium.Keys.ENTER);
        await().atMost(WAIT).until(() -> browser.find("#loans").isDisplayed() && !browser.find("#flows").isDisplayed());
        assertThat(browser.find("nav button[data-page='loans']").getDomAttribute("aria-current")).isEqualTo("page");
        // every control has a name a screen reader says: a label for it, an aria-label, or its own text
        assertThat(browser.script("return [...document.querySelectorAll('input, select, button')].filter(e =>"
                + " !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).length"))
                .isEqualTo(0L);
    }

    @Test
    void aViewersButtonsAreAnswered403AndChangeNothing() throws Exception {
        String loanId = loanId();
        submit(301, loanId, 4000);
        browser.as("viewer", VIEWER).open("loans");
        browser.click("button.approve[data-loan='301/" + loanId + "']");
        await().atMost(WAIT).until(browser::message, m -> m.contains("403") && m.contains("user viewer may not do this"));
        assertThat(db.count("SELECT COUNT(*) FROM loan_disburse WHERE loan_id = ?", loanId)).isZero();

        String payload = "not a sale " + UUID.randomUUID();
        topics.send(sluice.property("sluice.sales.topic"), "v", payload);
        ConsumerRecord<String, String> letter = letter(sluice.property("sluice.sales.dlq-topic"), payload);
        long recorded = db.count("SELECT COUNT(*) FROM dead_letter_action");
        browser.open("dead-letters");
        browser.click(checkbox(letter));
        browser.click("#dl-replay");
        await().atMost(WAIT).until(browser::message, m -> m.contains("403") && m.contains("it needs the role approver"));
        // a refused action keeps the selection: the same letter, still ticked, discarded (the table may be drawn
        // again between finding the box and reading it: then it is found again)
        await().atMost(WAIT).ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
                .until(() -> browser.find(checkbox(letter)).isSelected());
        browser.click("#dl-discard");
        await().atMost(WAIT).until(browser::message, m -> m.startsWith("Discard: 403"));
        assertThat(db.count("SELECT COUNT(*) FROM dead_letter_action")).isEqualTo(recorded);
    }

    /** Must show 1(a) and 3: the dead-lettered approval replayed once the request is in; a second session's replay is refused. */
    @Test
    void anApprovalDeadLetteredBeforeItsRequestIsReplayedOnceAndTheLoanIsDisbursed() throws Exception {
        String loanId = loanId();
        String approvals = sluice.property("sluice.loans.approval-topic");
        topics.send(approvals, loanId, "{\"cust_ids\":302,\"loan_id\":\"" + loanId + "\",\"approved_by\":\"kafka-ops\"}");
        ConsumerRecord<String, String> letter = letter(sluice.property("sluice.loans.dlq-topic"), loanId);
        assertThat(JSON.readTree(letter.value()).path("reason").asText()).startsWith("no loan request");
        submit(302, loanId, 12000);

        // a second approver's session has the page open already
        browser.as("approver-2", APPROVER).open("dead-letters");
        await().atMost(WAIT).until(() -> !browser.all(checkbox(letter)).isEmpty());

        browser.as("approver", APPROVER).open("dead-letters");
        browser.find("#dl-reason").sendKeys("no loan request");
        browser.click("#dl-filter button[type=submit]");
        await().atMost(WAIT).until(() -> browser.all("#dl-table tbody tr").stream()
                .allMatch(r -> r.getText().contains("no loan request")));
        browser.click(checkbox(letter));
        browser.click("#dl-replay");
        await().atMost(WAIT).until(browser::message, m -> m.startsWith("1 replayed"));
        await().atMost(WAIT).until(() -> db.count("SELECT COUNT(*) FROM loan_disburse WHERE cust_ids = 302 AND loan_id = ?"
                + " AND approved_by = 'kafka-ops'", loanId) == 1);
        List<ConsumerRecord<String, String>> disbursed = topics.readUntil(sluice.property("sluice.loans.disbursement-topic"), WAIT,
                rs -> rs.stream().anyMatch(r -> r.value().contains(loanId)));
        assertThat(disbursed.stream().filter(r -> r.value().contains(loanId)).findFirst().orElseThrow().value())
                .contains("\"monthly_inst\":1170");
        await().atMost(WAIT).until(() -> browser.text("#dl-table tr[data-letter='" + id(letter) + "'] td.done"),
                t -> t.startsWith("replay by approver"));
        browser.screenshot("dead-letters");

        // the other session, its page from before the replay: the same letter goes nowhere a second time
        browser.as("approver-2", APPROVER);
        browser.click(checkbox(letter));
        browser.click("#dl-replay");
        await().atMost(WAIT).until(browser::message, m -> m.startsWith("1 already") && m.contains("replay by approver"));
        assertThat(topics.readAll(approvals).stream().filter(r -> r.value().contains(loanId))).hasSize(2); // original + one replay
    }

    /** Must show 1(b). */
    @Test
    void aLoanApprovedFromTheLoansPageIsDisbursed() throws Exception {
        String loanId = loanId();
        submit(303, loanId, 9600);
        browser.as("approver", APPROVER).open("loans");
        String row = "#loans-table tr[data-loan='303/" + loanId + "']";
        browser.click(row + " button.approve");
        await().atMost(WAIT).until(browser::message, m -> m.contains("Loan " + loanId + " of customer 303 approved: monthly instalment 936, by approver"));
        await().atMost(WAIT).until(() -> browser.text(row + " td.state"), "approved"::equals);
        assertThat(browser.text(row)).contains("approver");
        assertThat(db.count("SELECT COUNT(*) FROM loan_disburse WHERE cust_ids = 303 AND loan_id = ? AND approved_by = 'approver'", loanId)).isEqualTo(1);
        topics.readUntil(sluice.property("sluice.loans.disbursement-topic"), WAIT, rs -> rs.stream().anyMatch(r -> r.value().contains(loanId)));
        assertThat(browser.all(row + " button.approve")).isEmpty();
        browser.screenshot("loans");
    }

    /** Must show 1(c): failed in Slack, re-sent from the page (a viewer's try refused), posted once. */
    @Test
    void aFailedAlertReSentFromTheVipPageReachesSlackOnce() throws Exception {
        String email = "vip-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        long ratingId = 900_000 + (System.nanoTime() % 99_999);
        stack.slack().injectFault(503, 0, 2); // the first try and its one retry
        topics.send(sluice.property("sluice.vip.topic"), Long.toString(ratingId), JSON.writeValueAsString(Map.of("full_name", "Vee Eye",
                "club_status", "platinum", "email", email, "stars", 1, "message", "<b>cold</b> coffee", "rating_id", ratingId,
                "rating_time", System.currentTimeMillis())));
        String row = "#alerts-table tr[data-rating='" + ratingId + "']";

        browser.as("viewer", VIEWER).open("alerts");
        await().atMost(WAIT).until(() -> browser.text(row + " td.state"), "failed"::equals);
        assertThat(browser.text(row)).contains("<b>cold</b> coffee"); // text, never markup
        assertThat(browser.text(row)).contains("Slack answered HTTP 503");
        browser.click(row + " button.resend");
        await().atMost(WAIT).until(browser::message, m -> m.contains("403"));
        assertThat(slackMessages(email)).isZero();

        browser.as("approver", APPROVER).open("alerts");
        browser.click(row + " button.resend");
        await().atMost(WAIT).until(browser::message, m -> m.startsWith("Alert for rating " + ratingId + " re-sent"));
        await().atMost(WAIT).until(() -> slackMessages(email) == 1);
        await().atMost(WAIT).until(() -> browser.text(row + " td.state"), "sent"::equals);
        assertThat(browser.text(row)).contains("re-sent by approver");
        assertThat(browser.all(row + " button.resend")).isEmpty();
        assertThat(browser.all(row)).hasSize(1); // re-sent, the event is on the topic twice: one row
        browser.screenshot("alerts");
        // a second re-send (another session, or the API) posts nothing more
        HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/console/alerts/" + ratingId + "/resend"))
                .header("Authorization", APPROVER).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(slackMessages(email)).isEqualTo(1);
    }

    @Test
    void theWindowsPageChartsTheLatestResults() throws Exception {
        String sales = sluice.property("sluice.sales.topic");
        for (int t = 1000; t < 1030; t++) {
            topics.send(sales, null, "{\"item\":\"" + (t % 2 == 0 ? "a" : "c") + "\",\"amount\":" + (t % 7 + 1) + ",\"time\":" + t + "}");
        }
        browser.as("viewer", VIEWER).open("windows");
        String chart = "figure[data-window='" + sluice.prefix() + "-sales-summary']";
        await().atMost(WAIT).until(() -> browser.text(chart + " .latest"), t -> t.startsWith("latest window 10"));
        assertThat(browser.all(chart + " svg rect")).isNotEmpty();
        assertThat(browser.text(chart + " .legend")).contains("*").contains("a");
        assertThat(browser.all("figure[data-window='" + sluice.prefix() + "-ratings-by-club-status']")).hasSize(1);
        browser.screenshot("windows");
    }

    private static long slackMessages(String email) {
        return stack.slack().messages().stream().filter(m -> m.path("text").asText().contains(email)).count();
    }

    private static ConsumerRecord<String, String> letter(String dlq, String marker) {
        return topics.readUntil(dlq, WAIT, rs -> rs.stream().anyMatch(r -> r.value().contains(marker))).stream()
                .filter(r -> r.value().contains(marker)).findFirst().orElseThrow();
    }

    private static String id(ConsumerRecord<String, String> letter) {
        return letter.topic() + "-" + letter.partition() + "@" + letter.offset();
    }

    private static String checkbox(ConsumerRecord<String, String> letter) {
        return "#dl-table input[data-letter='" + id(letter) + "']";
    }

    private static void submit(int cust, String loanId, int amount) throws Exception {
        String body = "{\"cust_ids\":" + cust + ",\"loan_id\":\"" + loanId + "\",\"loan_amount\":" + amount
                + ",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\",\"country\":\"UK\",\"phone\":\"+44-1\"}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/loans")).header("Authorization", SUBMITTER)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        await().atMost(WAIT).until(() -> db.count("SELECT COUNT(*) FROM loanrequest WHERE cust_ids = ? AND loan_id = ?", cust, loanId) == 1);
    }

    private static String base() {
        return "http://localhost:" + sluice.property("sluice.http.port");
    }

    private static long number(String text) {
        String digits = text.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? -1 : Long.parseLong(digits);
    }

    private static String loanId() {
        return "C" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toUpperCase();
    }
}
