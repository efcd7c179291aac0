package io.sluice.sinks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Sinks made from properties alone: the dev profile's data lake, and one a test adds with three properties. */
@ExtendWith(SluiceStack.class)
class TopicSinkTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void dataLakeAndAPropertiesOnlySinkReceiveEveryRecord(DevStack stack) throws Exception {
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "sinks")) {
            Path data = Path.of(sluice.property("sluice.devstack.data-dir"));
            Path extra = data.resolve("test-topic-copies");
            // a sink added in three lines: the test channel's ratings, one file per record
            sluice.with("camel.routeTemplate[test-copies].templateId", "topic-sink")
                    .with("camel.routeTemplate[test-copies].name", "test-copies")
                    .with("camel.routeTemplate[test-copies].topic", sluice.property("sluice.ratings.test-topic"))
                    .with("camel.routeTemplate[test-copies].uri", "file:" + extra + "?fileName=${header.kafka.KEY}.json")
                    .start();
            int live = 40;
            int test = 7;
            for (int i = 0; i < live + test; i++) {
                topics.sendAsync(sluice.property("sluice.ratings.topic"), null, "{\"rating_id\":" + (70_000 + i)
                        + ",\"user_id\":" + (1 + i % 20) + ",\"stars\":4,\"channel\":\"" + (i < live ? "web" : "web-test") + "\"}");
            }
            topics.flush();

            Path lake = data.resolve("lake").resolve(sluice.property("sluice.ratings.enriched-topic"));
            await().atMost(Duration.ofSeconds(60)).until(() -> lines(lake).size() >= live);
            List<String> lines = lines(lake);
            assertThat(lines).hasSize(live);
            Set<Long> ids = lines.stream().map(this::ratingId).collect(Collectors.toSet());
            assertThat(ids).hasSize(live).allMatch(id -> id >= 70_000 && id < 70_000 + live);

            await().atMost(Duration.ofSeconds(60)).until(() -> files(extra).size() == test);
            assertThat(files(extra).stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                    .hasSize(test).allMatch(name -> name.matches("700(4[0-6])\\.json"));
        }
    }

    private long ratingId(String line) {
        try {
            return json.readTree(line).path("rating_id").asLong();
        } catch (IOException e) {
            throw new IllegalStateException("not a JSON line: " + line, e);
        }
    }

    private static List<String> lines(Path dir) throws IOException {
        List<String> all = new ArrayList<>();
        for (Path f : files(dir)) {
            Files.readAllLines(f).stream().filter(l -> !l.isBlank()).forEach(all::add);
        }
        return all;
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
