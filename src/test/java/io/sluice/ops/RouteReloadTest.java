package io.sluice.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.ReloadStrategy;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live route editing: Sluice runs on a copy of routes/, the test edits the unhappy-VIP rule in the copy of
 * ratings-enrichment.yaml while it runs and sees the new rule applied; then it saves a broken file and the
 * edited route keeps working.
 */
@ExtendWith(SluiceStack.class)
class RouteReloadTest {

    private static final String RULE = "${variable.stars} < {{sluice.vip.stars-below}}";
    private final ObjectMapper json = new ObjectMapper();
    /** Rating ids of this run only: alerts are remembered per rating_id across the whole database. */
    private final long base = 700_000_000L + new java.util.Random().nextInt(100_000_000);

    @Test
    void anEditedRouteFileTakesEffectWhileRunningAndABrokenEditKeepsTheRouteRunning(DevStack stack) throws Exception {
        int platinum;
        try (var c = new Db(stack).connect(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT MIN(id) FROM customers WHERE club_status = 'platinum'")) {
            rs.next();
            platinum = rs.getInt(1);
        }
        RunningSluice config = RunningSluice.on(stack, "reload");
        Path routes = Path.of("target", "flow-tests", config.prefix(), "routes").toAbsolutePath();
        Files.createDirectories(routes);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Files.copy(f, routes.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path ratingsRoute = routes.resolve("ratings-enrichment.yaml");
        String original = Files.readString(ratingsRoute);
        assertThat(original).contains(RULE);

        try (Topics topics = new Topics(stack); RunningSluice sluice = config
                .with("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml")
                .with("camel.main.routes-reload-directory", routes.toString())
                .start()) {
            String in = sluice.property("sluice.ratings.topic");
            String unhappy = sluice.property("sluice.vip.topic");
            String enriched = sluice.property("sluice.ratings.enriched-topic");

            // as shipped: 4 stars from a platinum customer is not unhappy
            topics.send(in, id(1), rating(1, platinum, 4));
            topics.send(in, id(2), rating(2, platinum, 1));
            await().atMost(Duration.ofSeconds(60)).until(() -> keys(topics.readAll(enriched)).containsAll(List.of(id(1), id(2))));
            await().atMost(Duration.ofSeconds(30)).until(() -> keys(topics.readAll(unhappy)).contains(id(2)));
            assertThat(keys(topics.readAll(unhappy))).containsExactly(id(2));

            // edit the rule while running: now anything below 5 stars is unhappy
            Route before = sluice.context().getRoute("ratings-enrichment");
            Files.writeString(ratingsRoute, original.replace(RULE, "${variable.stars} < 5"));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Route now = sluice.context().getRoute("ratings-enrichment");
                return now != null && now != before
                        && sluice.context().getRouteController().getRouteStatus("ratings-enrichment") == ServiceStatus.Started;
            });
            topics.send(in, id(3), rating(3, platinum, 4));
            await().atMost(Duration.ofSeconds(30)).until(() -> keys(topics.readAll(unhappy)).contains(id(3)));

            // a broken edit: reported, not applied; the edited route keeps running
            ReloadStrategy reload = sluice.context().hasService(ReloadStrategy.class);
            long failedBefore = reload.getFailedCounter();
            Route working = sluice.context().getRoute("ratings-enrichment");
            Files.writeString(ratingsRoute, original.replace("- route:", "- route: [ this is not a route"));
            await().atMost(Duration.ofSeconds(60)).until(() -> reload.getFailedCounter() > failedBefore);
            assertThat(sluice.context().getRoute("ratings-enrichment")).isSameAs(working);
            assertThat(sluice.context().getRouteController().getRouteStatus("ratings-enrichment")).isEqualTo(ServiceStatus.Started);
            topics.send(in, id(4), rating(4, platinum, 4));
            topics.send(in, id(5), rating(5, platinum, 5));
            await().atMost(Duration.ofSeconds(30)).until(() -> keys(topics.readAll(enriched)).contains(id(5)));
            await().atMost(Duration.ofSeconds(30)).until(() -> keys(topics.readAll(unhappy)).contains(id(4)));
            assertThat(keys(topics.readAll(unhappy))).containsExactlyInAnyOrder(id(2), id(3), id(4));
        }
    }

    private String id(int n) {
        return Long.toString(base + n);
    }

    private String rating(int n, int user, int stars) throws Exception {
        return json.writeValueAsString(Map.of("rating_id", base + n, "user_id", user, "stars", stars,
                "rating_time", 1_700_000_000_000L + n, "channel", "web", "message", "m" + n));
    }

    private static List<String> keys(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::key).toList();
    }
}
