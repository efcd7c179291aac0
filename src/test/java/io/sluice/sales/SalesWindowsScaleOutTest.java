package io.sluice.sales;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceProcess;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Windows scale with the input's partitions: two Sluice processes share the sales window of a 3-partition topic.
 * While both run, each runs only its own share of the window's tasks (the engine's task assignment, read from each
 * instance's {@code sluice_window_tasks} gauges: together exactly one owner per partition, neither holding all);
 * there is no lock they could wait on. A second instance joins mid-stream and the first is then killed (SIGKILL):
 * the totals stay exact and no result is published twice.
 */
@ExtendWith(SluiceStack.class)
class SalesWindowsScaleOutTest {

    private static final int SALES = 9_000;
    private static final int PER_SECOND = 300;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void twoInstancesShareTheWindowsPartitionsAndTheTotalsStayExactAcrossJoinAndKill(DevStack stack) throws Exception {
        Db db = new Db(stack);
        db.update("DELETE FROM sales_summary");
        SalesSequence sales = new SalesSequence(SALES, 5, 7);
        RunningSluice config = RunningSluice.on(stack, "sales-scale")
                .with("sluice.sales.window-idle-timeout-ms", "3000")
                .with("sluice.windows.session-timeout-ms", "6000")
                .with("camel.component.kafka.session-timeout-ms", "6000")
                .with("camel.component.kafka.heartbeat-interval-ms", "1000");
        String topic = config.property("sluice.sales.topic");
        String window = config.prefix() + "-sales-summary";
        try (Topics topics = new Topics(stack);
             SluiceProcess a = SluiceProcess.instance(config, "a");
             SluiceProcess b = SluiceProcess.instance(config, "b")) {
            topics.create(topic, 3);
            a.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> tasks(a, window, "read") == 3 && tasks(a, window, "fold") == 3);
            AtomicInteger sent = new AtomicInteger();
            // past half the sales the store slows to a trickle until b has its share, however long b takes to start
            // on a busy machine: the join must happen mid-stream, not after the last sale (a trickle, not a pause,
            // so the idle close never sees a quiet stream)
            CountDownLatch shared = new CountDownLatch(1);
            Thread store = Thread.ofPlatform().daemon().name("store").start(() -> {
                long interval = TimeUnit.SECONDS.toNanos(1) / PER_SECOND;
                long trickle = TimeUnit.SECONDS.toNanos(1) / 20;
                long next = System.nanoTime();
                for (String sale : sales.records) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    next += sent.get() >= SALES / 2 && shared.getCount() > 0 ? trickle : interval;
                    topics.sendAsync(topic, null, sale);
                    sent.incrementAndGet();
                }
                topics.flush();
            });

            await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= SALES / 20);
            b.start(); // joins mid-stream
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                int ar = tasks(a, window, "read");
                int br = tasks(b, window, "read");
                int af = tasks(a, window, "fold");
                int bf = tasks(b, window, "fold");
                return ar + br == 3 && af + bf == 3 && ar > 0 && br > 0 && af + ar < 6 && bf + br < 6;
            });
            System.out.printf("window tasks while both run: a read %d fold %d, b read %d fold %d (sent %d)%n",
                    tasks(a, window, "read"), tasks(a, window, "fold"), tasks(b, window, "read"), tasks(b, window, "fold"), sent.get());
            assertThat(sent.get()).as("both ran while the sales still came").isLessThan(SALES);
            shared.countDown();

            await().atMost(Duration.ofSeconds(90)).until(() -> sent.get() >= SALES * 2 / 3);
            a.kill(); // leaves without a word: b takes its partitions over after the session timeout
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> tasks(b, window, "read") == 3 && tasks(b, window, "fold") == 3);
            store.join();

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> SalesSequence.summaryTable(db).size() >= sales.expected.size());
            assertThat(SalesSequence.summaryTable(db)).isEqualTo(sales.expected);
            List<ConsumerRecord<String, String>> summary = topics.readAll(config.property("sluice.sales.summary-topic"));
            Map<String, SalesSequence.Totals> published = new TreeMap<>();
            Map<String, Integer> perKey = new HashMap<>();
            for (ConsumerRecord<String, String> r : summary) {
                JsonNode result = json.readTree(r.value());
                published.put(result.get("window_start").asLong() + "/" + result.get("item").asText(),
                        new SalesSequence.Totals(result.get("total_amount").asLong(), result.get("count").asLong()));
                perKey.merge(r.key(), 1, Integer::sum);
            }
            assertThat(published).isEqualTo(sales.expected);
            assertThat(perKey.values()).as("one result per window and item").allMatch(n -> n == 1);
            assertThat(topics.readAll(config.property("sluice.sales.summary-topic") + "-late")).isEmpty();
        }
    }

    private static final Pattern TASKS = Pattern.compile("(?m)^sluice_window_tasks\\{([^}]*)}\\s+([0-9.]+)");

    /** The instance's {@code sluice_window_tasks} gauge for the window and step; 0 while it does not answer. */
    private static int tasks(SluiceProcess instance, String window, String step) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(
                    "http://localhost:" + instance.property("camel.management.port") + "/observe/metrics"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = TASKS.matcher(r.body());
            while (m.find()) {
                if (m.group(1).contains("window=\"" + window + "\"") && m.group(1).contains("step=\"" + step + "\"")) {
                    return (int) Double.parseDouble(m.group(2));
                }
            }
            return 0;
        } catch (Exception e) {
            return 0;
        }
    }
}
