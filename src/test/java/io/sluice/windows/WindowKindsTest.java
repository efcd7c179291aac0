package io.sluice.windows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hopping, session and running windows added by properties alone, on the real Kafka: 4 000 sales over a
 * 3-partition topic (so partitions interleave) must give exactly the results computed here, one per window and
 * item, with nothing late and nothing dead-lettered.
 */
@ExtendWith(SluiceStack.class)
class WindowKindsTest {

    private static final int SALES = 4_000;
    private static final long SIZE = 20;
    private static final long ADVANCE = 5;
    private static final long GAP = 6;
    private final ObjectMapper json = new ObjectMapper();

    private record Sale(String item, long amount, long time) {
    }

    private record Totals(long total, long count) {
        Totals plus(long amount) {
            return new Totals(total + amount, count + 1);
        }
    }

    @Test
    void hoppingSessionAndRunningWindowsMatchTheGroundTruth(DevStack stack) throws Exception {
        // time moves on by 0-3 units per sale, with a pause of 10-40 units every ~50 sales: sessions of several sales
        Random random = new Random(17);
        String[] items = {"a", "a", "a", "b", "c", "d"};
        List<Sale> sales = new ArrayList<>();
        long time = 0;
        for (int i = 0; i < SALES; i++) {
            time += random.nextInt(50) == 0 ? 10 + random.nextInt(31) : random.nextInt(4);
            sales.add(new Sale(items[random.nextInt(items.length)], 1 + random.nextInt(90), time));
        }

        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "window-kinds")) {
            String in = sluice.property("sluice.sales.topic");
            String prefix = sluice.prefix();
            window(sluice, "hop", "hopping", in, prefix + "-hop").with("camel.routeTemplate[hop].size", Long.toString(SIZE))
                    .with("camel.routeTemplate[hop].advance", Long.toString(ADVANCE))
                    .with("camel.routeTemplate[hop].overall", "*");
            window(sluice, "sess", "session", in, prefix + "-sess").with("camel.routeTemplate[sess].gap", Long.toString(GAP))
                    .with("camel.routeTemplate[sess].aggregate", "sum:amount,list:amount");
            window(sluice, "run", "running", in, prefix + "-run").with("camel.routeTemplate[run].emitIntervalMs", "300")
                    .with("camel.routeTemplate[run].overall", "*");
            topics.create(in, 3);
            sluice.start();
            for (Sale s : sales) {
                topics.sendAsync(in, null, json.writeValueAsString(Map.of("item", s.item, "amount", s.amount, "time", s.time)));
            }
            topics.flush();

            // hopping: an event counts in every window [s, s+SIZE) with s a multiple of ADVANCE that holds it
            Map<String, Totals> hopping = new TreeMap<>();
            for (Sale s : sales) {
                for (long start = Math.floorDiv(s.time - SIZE, ADVANCE) * ADVANCE + ADVANCE; start <= s.time; start += ADVANCE) {
                    for (String item : new String[] {s.item, "*"}) {
                        hopping.merge(start + "/" + item, new Totals(s.amount, 1), (x, y) -> new Totals(x.total + y.total, x.count + y.count));
                    }
                }
            }
            Map<String, Totals> gotHopping = new TreeMap<>();
            for (ConsumerRecord<String, String> r : readResults(topics, prefix + "-hop", hopping.size())) {
                JsonNode w = json.readTree(r.value());
                assertThat(w.get("window_end").asLong() - w.get("window_start").asLong()).isEqualTo(SIZE);
                assertThat(r.key()).isEqualTo(w.get("item").asText() + "@" + w.get("window_start").asLong());
                assertThat(gotHopping.put(w.get("window_start").asLong() + "/" + w.get("item").asText(),
                        new Totals(w.get("total_amount").asLong(), w.get("count").asLong()))).as("one result per window and item").isNull();
            }
            assertThat(gotHopping).isEqualTo(hopping);

            // sessions: per item, sales at most GAP apart
            Map<String, List<Sale>> byItem = new TreeMap<>();
            sales.forEach(s -> byItem.computeIfAbsent(s.item, k -> new ArrayList<>()).add(s));
            Map<String, String> sessions = new TreeMap<>();
            byItem.forEach((item, list) -> {
                List<Sale> run = new ArrayList<>();
                for (Sale s : list) {
                    if (!run.isEmpty() && s.time - run.get(run.size() - 1).time > GAP) {
                        sessions.put(item + "@" + run.get(0).time, describe(run));
                        run.clear();
                    }
                    run.add(s);
                }
                sessions.put(item + "@" + run.get(0).time, describe(run));
            });
            Map<String, String> gotSessions = new TreeMap<>();
            for (ConsumerRecord<String, String> r : readResults(topics, prefix + "-sess", sessions.size())) {
                JsonNode w = json.readTree(r.value());
                List<Long> amounts = new ArrayList<>();
                w.get("amount").forEach(a -> amounts.add(a.asLong()));
                amounts.sort(null);
                assertThat(gotSessions.put(r.key(), w.get("window_start").asLong() + ".." + w.get("window_end").asLong() + " "
                        + w.get("total_amount").asLong() + "/" + w.get("count").asLong() + " " + amounts)).isNull();
            }
            assertThat(gotSessions).isEqualTo(sessions);

            // running: the latest record per key is the total so far
            Map<String, Totals> running = new TreeMap<>();
            for (Sale s : sales) {
                for (String item : new String[] {s.item, "*"}) {
                    running.merge(item, new Totals(s.amount, 1), (x, y) -> new Totals(x.total + y.total, x.count + y.count));
                }
            }
            Map<String, Totals> latest = new TreeMap<>();
            Map<String, Integer> updates = new HashMap<>();
            List<ConsumerRecord<String, String>> runs = topics.readUntil(prefix + "-run", Duration.ofSeconds(60), rs -> {
                Map<String, Totals> last = new TreeMap<>();
                for (ConsumerRecord<String, String> r : rs) {
                    last.put(r.key(), totals(r.value()));
                }
                return last.equals(running);
            });
            for (ConsumerRecord<String, String> r : runs) {
                latest.put(r.key(), totals(r.value()));
                updates.merge(r.key(), 1, Integer::sum);
                assertThat(json.readTree(r.value()).has("window_start")).isFalse();
            }
            assertThat(latest).isEqualTo(running);
            assertThat(updates.get("a")).as("updates, not one per sale").isLessThan((int) running.get("a").count());

            for (String out : new String[] {"-hop", "-sess", "-run"}) {
                assertThat(topics.readAll(prefix + out + "-late")).as(out + " late").isEmpty();
                assertThat(topics.readAll(prefix + out + "-dlq")).as(out + " dlq").isEmpty();
            }
        }
    }

    private RunningSluice window(RunningSluice sluice, String id, String kind, String in, String out) {
        String p = "camel.routeTemplate[" + id + "].";
        return sluice.with(p + "templateId", "window").with(p + "name", sluice.prefix() + "-" + id).with(p + "kind", kind)
                .with(p + "topic", in).with(p + "outputTopic", out).with(p + "timeField", "time").with(p + "groupBy", "item")
                .with(p + "aggregate", "sum:amount").with(p + "idleTimeoutMs", "2000");
    }

    private List<ConsumerRecord<String, String>> readResults(Topics topics, String topic, int expected) {
        return topics.readUntil(topic, Duration.ofSeconds(90), rs -> rs.size() >= expected);
    }

    private Totals totals(String value) {
        try {
            JsonNode w = json.readTree(value);
            return new Totals(w.get("total_amount").asLong(), w.get("count").asLong());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(List<Sale> run) {
        List<Long> amounts = new ArrayList<>();
        long total = 0;
        for (Sale s : run) {
            amounts.add(s.amount);
            total += s.amount;
        }
        amounts.sort(null);
        return run.get(0).time + ".." + run.get(run.size() - 1).time + " " + total + "/" + run.size() + " " + amounts;
    }
}
