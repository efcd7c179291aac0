package io.sluice.ops;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Consumer lag per group and topic, on /observe/metrics and in the progress lines: a stopped flow lags, a running one catches up. */
@ExtendWith(SluiceStack.class)
class ConsumerLagTest {

    @Test
    void aStoppedFlowShowsItsLagAndCatchesUpWhenStarted(DevStack stack) throws Exception {
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "lag").start()) {
            String sales = sluice.property("sluice.sales.topic");
            String group = sluice.property("sluice.sales.group-id");
            FlowMetrics metrics = sluice.context().getRegistry().lookupByNameAndType("flowMetrics", FlowMetrics.class);
            sluice.context().getRouteController().stopRoute("sales-ingest");
            for (int i = 0; i < 50; i++) {
                topics.sendAsync(sales, null, "{\"item\":\"a\",\"amount\":1,\"time\":" + i + "}");
            }
            topics.flush();

            // the window flow reads the same topic and keeps up; the stopped ingest lags by all 50: one line per flow
            // (the window's Kafka Streams application first joins its group and sets up its transactions)
            await().atMost(Duration.ofSeconds(60)).until(() -> scrape(sluice).contains(
                    "sluice_records_in_total{flow=\"sales-summary\",topic=\"" + sales + "\"} 50.0"));
            metrics.progress();
            await().atMost(Duration.ofSeconds(30)).until(() -> lineOf(metrics.progress(), "sales-ingest").endsWith("lag 50"));
            assertThat(scrape(sluice)).contains("sluice_consumer_lag{group=\"" + group + "\",topic=\"" + sales + "\"} 50.0");
            // caught up and nothing new: the window flow has no line (quiet when idle), its gauge says 0
            await().atMost(Duration.ofSeconds(30)).until(() -> lineOf(metrics.progress(), "sales-summary").isEmpty()
                    && scrape(sluice).contains("sluice_consumer_lag{group=\"sluice-windows-" + sluice.prefix() + "-sales-summary\",topic=\""
                    + sales + "\"} 0.0"));

            sluice.context().getRouteController().startRoute("sales-ingest");
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                metrics.progress();
                return scrape(sluice).contains("sluice_consumer_lag{group=\"" + group + "\",topic=\"" + sales + "\"} 0.0");
            });
        }
    }

    /** The progress line of {@code flow}, or "" if it has none. */
    private static String lineOf(String progress, String flow) {
        return progress == null ? "" : progress.lines().filter(l -> l.trim().startsWith(flow + " ")).findFirst().orElse("");
    }

    private static String scrape(RunningSluice sluice) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + sluice.property("camel.management.port") + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
