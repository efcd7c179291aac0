package io.sluice.alerts;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.devstack.DevStack;
import io.sluice.devstack.slack.SlackReceiver;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Flow 4 against the Slack-like receiver of the embedded stack (it answers like Slack: ok, 429 with
 * Retry-After, 5xx). Each test posts to a webhook path of its own, so the receiver's messages can be told apart.
 */
@ExtendWith(SluiceStack.class)
class VipAlertsTest {

    private final ObjectMapper json = new ObjectMapper();
    private DevStack stack;

    @AfterEach
    void noFaultsLeft() {
        if (stack != null) {
            stack.slack().injectFault(200, 0, 0);
        }
    }

    @Test
    void theDefaultTextIsPostedWithUserTextEscaped(DevStack stack) throws Exception {
        this.stack = stack;
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "alerts").start()) {
            String vip = sluice.property("sluice.vip.topic");
            topics.send(vip, "1", event(1, "ann@example.com", "<!channel> the coffee was cold"));
            topics.send(vip, "2", event(2, "bo@example.com", "ping <@U123> now"));
            topics.send(vip, "3", event(3, "cy@example.com", "see <http://evil.example|click here> & more"));

            List<String> texts = await().atMost(Duration.ofSeconds(30)).until(() -> texts(sluice), t -> t.size() == 3);
            assertThat(texts).containsExactlyInAnyOrder(
                    "`ann@example.com` just left a bad review :disappointed:\n> &lt;!channel&gt; the coffee was cold\n"
                            + "Please contact them now and put it right.",
                    "`bo@example.com` just left a bad review :disappointed:\n> ping &lt;@U123&gt; now\n"
                            + "Please contact them now and put it right.",
                    "`cy@example.com` just left a bad review :disappointed:\n> see &lt;http://evil.example|click here&gt; &amp; more\n"
                            + "Please contact them now and put it right.");
        }
    }

    @Test
    void aRatingIsPostedOnceWhenDeliveredTwiceAndAfterARestart(DevStack stack) throws Exception {
        this.stack = stack;
        RunningSluice sluice = RunningSluice.on(stack, "alerts-once");
        try (Topics topics = new Topics(stack)) {
            String vip = sluice.property("sluice.vip.topic");
            topics.send(vip, "10", event(10, "dee@example.com", "late"));
            topics.send(vip, "10", event(10, "dee@example.com", "late"));
            topics.send(vip, "11", event(11, "eve@example.com", "rude"));
            sluice.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> topics.committedToEnd(sluice.property("sluice.slack.group-id"), vip));
            assertThat(texts(sluice)).hasSize(2);
            sluice.stop();

            // restarted with a new consumer group: every record is delivered again, as after lost commits
            sluice.with("sluice.slack.group-id", sluice.prefix() + "-alerts-again").start();
            topics.send(vip, "12", event(12, "fay@example.com", "dirty"));
            await().atMost(Duration.ofSeconds(30)).until(() -> texts(sluice).size() == 3);
            await().atMost(Duration.ofSeconds(30)).until(() -> topics.committedToEnd(sluice.property("sluice.slack.group-id"), vip));
            assertThat(texts(sluice)).hasSize(3);
            assertThat(texts(sluice)).filteredOn(t -> t.contains("dee@example.com")).hasSize(1);
            assertThat(topics.readAll(sluice.property("sluice.slack.dlq-topic"))).isEmpty();
        } finally {
            sluice.close();
        }
    }

    @Test
    void a429IsRetriedAfterRetryAfter(DevStack stack) throws Exception {
        this.stack = stack;
        // a back-off of 100 ms: only Retry-After can make the retry wait 3 s
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "alerts-429")
                .with("sluice.slack.retry-delay-ms", "100").start()) {
            String vip = sluice.property("sluice.vip.topic");
            topics.send(vip, "20", event(20, "warm@example.com", "warm up"));
            await().atMost(Duration.ofSeconds(30)).until(() -> texts(sluice).size() == 1);

            stack.slack().injectFault(429, 3, 1);
            long t0 = System.nanoTime();
            topics.send(vip, "21", event(21, "gus@example.com", "slow"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> texts(sluice).size() == 2);
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("FIGURE slack 429 Retry-After 3 s: posted after " + waitedMs + " ms");
            assertThat(waitedMs).isBetween(3000L, 8000L);
            assertThat(sluice.sinkRetries("slack")).isEqualTo(1.0);
        }
    }

    /** Found by the fault suite: 30 s of 429s dead-lettered an alert every few seconds once attempts ran out. */
    @Test
    void aRateLimitLongerThanTheAttemptsIsWaitedOutNotDeadLettered(DevStack stack) throws Exception {
        this.stack = stack;
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "alerts-429-storm")
                .with("sluice.slack.attempts", "2").with("sluice.slack.retry-delay-ms", "100").start()) {
            String vip = sluice.property("sluice.vip.topic");
            // rating ids are global in the alert ledger: none used by another test of this class
            topics.send(vip, "50", event(50, "warm@example.com", "warm up"));
            await().atMost(Duration.ofSeconds(30)).until(() -> texts(sluice).size() == 1);

            stack.slack().injectFault(429, 1, 5); // more 429s in a row than attempts allows
            topics.send(vip, "51", event(51, "jo@example.com", "patience"));
            await().atMost(Duration.ofSeconds(30)).until(() -> texts(sluice).size() == 2);
            assertThat(texts(sluice).get(1)).contains("jo@example.com");
            assertThat(sluice.sinkRetries("slack")).isEqualTo(5.0);
            assertThat(topics.readAll(sluice.property("sluice.slack.dlq-topic"))).isEmpty();
        }
    }

    /** Found by the fault suite: a sluiceRejected header that came with a record over Kafka dead-lettered it. */
    @Test
    void sluiceHeadersArrivingOverKafkaSteerNothing(DevStack stack) throws Exception {
        this.stack = stack;
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "alerts-headers").start()) {
            String vip = sluice.property("sluice.vip.topic");
            topics.sendWithHeaders(vip, "60", event(60, "kim@example.com", "headers"),
                    "sluiceRejected", "injected by a producer", "sluiceAlertState", "sent");
            await().atMost(Duration.ofSeconds(30)).until(() -> texts(sluice).size() == 1);
            assertThat(texts(sluice).get(0)).contains("kim@example.com");
            assertThat(topics.readAll(sluice.property("sluice.slack.dlq-topic"))).isEmpty();
        }
    }

    @Test
    void serverErrorsAreRetriedThenDeadLetteredAndTheFlowGoesOn(DevStack stack) throws Exception {
        this.stack = stack;
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "alerts-5xx")
                .with("sluice.slack.attempts", "2").with("sluice.slack.retry-delay-ms", "100").start()) {
            String vip = sluice.property("sluice.vip.topic");
            topics.send(vip, "30", event(30, "warm@example.com", "warm up"));
            await().atMost(Duration.ofSeconds(30)).until(() -> texts(sluice).size() == 1);

            stack.slack().injectFault(503, 0, 3); // the first try and both retries
            topics.send(vip, "31", event(31, "hal@example.com", "broken"));
            List<ConsumerRecord<String, String>> dlq = topics.readUntil(sluice.property("sluice.slack.dlq-topic"),
                    Duration.ofSeconds(30), rs -> !rs.isEmpty());
            JsonNode letter = json.readTree(dlq.get(0).value());
            assertThat(dlq.get(0).key()).isEqualTo("31");
            assertThat(letter.path("reason").asText()).startsWith("Slack answered HTTP 503").doesNotContain("/services/");
            assertThat(json.readTree(letter.path("payload").asText()).path("rating_id").asInt()).isEqualTo(31);
            assertThat(sluice.sinkRetries("slack")).isEqualTo(2.0);

            // the next alert goes through; the dead-lettered one is not posted later
            topics.send(vip, "32", event(32, "ida@example.com", "fine now"));
            await().atMost(Duration.ofSeconds(30)).until(() -> texts(sluice).size() == 2);
            assertThat(texts(sluice)).noneMatch(t -> t.contains("hal@example.com"));
            // a webhook Slack refuses for good (400) is dead-lettered at once, without retries
            stack.slack().injectFault(400, 0, 1);
            topics.send(vip, "33", event(33, "jo@example.com", "bad payload"));
            await().atMost(Duration.ofSeconds(30)).until(() -> topics.readAll(sluice.property("sluice.slack.dlq-topic")).size() == 2);
            assertThat(sluice.sinkRetries("slack")).isEqualTo(2.0);
        }
    }

    @Test
    void theWebApiWithABotTokenGoesThroughCamelSlackAndHonoursRetryAfterToo(DevStack stack) throws Exception {
        this.stack = stack;
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "alerts-token")
                .with("sluice.slack.token", "fake-bot-token-for-tests")
                .with("sluice.slack.channel", "#vip-test")
                .with("sluice.slack.server-url", stack.config().slackUrl())
                .with("sluice.slack.retry-delay-ms", "100").start()) {
            String vip = sluice.property("sluice.vip.topic");
            String email = sluice.prefix() + "@example.com";
            stack.slack().injectFault(429, 2, 1);
            long t0 = System.nanoTime();
            topics.send(vip, "40", event(40, email, "<!here> token path"));
            ObjectNode message = await().atMost(Duration.ofSeconds(30)).until(
                    () -> stack.slack().messages().stream().filter(m -> m.path("text").asText().contains(email)).findFirst(),
                    java.util.Optional::isPresent).orElseThrow();
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(message.path("path").asText()).isEqualTo("/api/chat.postMessage");
            assertThat(message.path("channel").asText()).isEqualTo("#vip-test");
            assertThat(message.path("text").asText()).contains("&lt;!here&gt; token path");
            assertThat(waitedMs).isGreaterThanOrEqualTo(2000L);
        }
    }

    private String event(long ratingId, String email, String message) throws Exception {
        return json.writeValueAsString(Map.of("full_name", "Some One", "club_status", "platinum", "email", email,
                "stars", 1, "message", message, "rating_id", ratingId, "rating_time", 1_700_000_000_000L + ratingId));
    }

    /** Texts the receiver got on this Sluice's webhook path, oldest first. */
    private List<String> texts(RunningSluice sluice) {
        String path = java.net.URI.create(sluice.property("sluice.slack.webhook.secret")).getPath();
        SlackReceiver receiver = stack.slack();
        return receiver.messages().stream().filter(m -> m.path("path").asText().equals(path))
                .map(m -> m.path("text").asText()).toList();
    }
}
