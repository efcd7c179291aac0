package io.sluice.ratings;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.customers.CustomerRows;
import io.sluice.kafka.DeadLetters;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ratings routing table on one batch, without Kafka: which topic each rating reaches, under the shipped rules
 * and under rules written the other ways Simple allows (the step copies only the fields a rule names into variables,
 * so each way of naming one must be found). End to end on the real stack: RatingsRoutingTest, RouteReloadTest.
 */
class RatingsRoutingTableTest {

    private static final String SHIPPED_TEST = "${variable.channel} ~~ 'test'";
    private static final String SHIPPED_VIP = "${variable.stars} < 3 && ${variable.club_status} == 'platinum'";
    private final ObjectMapper json = new ObjectMapper();
    private CamelContext context;
    private long offset;

    @BeforeEach
    void startCamel() {
        context = new DefaultCamelContext();
        context.start();
        context.getRegistry().bind("ratingValidator", new RatingValidator(json, 65536));
        context.getRegistry().bind("deadLetters", new DeadLetters(json, FlowMetrics.of(context)));
        context.getRegistry().bind("customerTable", CustomerRows.of(context,
                new String[] {"1", "{\"id\":1,\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"email\":\"ann@x\",\"club_status\":\"platinum\"}"},
                new String[] {"2", "{\"id\":2,\"first_name\":\"Bo\",\"last_name\":null,\"email\":\"bo@x\",\"club_status\":\"silver\"}"}));
    }

    @AfterEach
    void stopCamel() {
        context.stop();
    }

    @Test
    void everyRatingReachesTheTopicItsFieldsCallFor() throws Exception {
        List<Out> out = route(table(SHIPPED_TEST, SHIPPED_VIP),
                rating(10, 1, 1, "web"),        // platinum, 1 star: enriched and unhappy VIP
                rating(11, 1, 4, "iOS"),        // platinum, 4 stars: enriched only
                rating(12, 2, 1, "web"),        // silver, 1 star: enriched only
                rating(13, 1, 1, "Kiosk-TEST"), // test channel, any case: test only, not joined
                rating(14, 99, 1, "web"),       // not a customer: unmatched
                "{not json".getBytes(StandardCharsets.UTF_8));

        assertThat(out).extracting(Out::where).containsExactly(
                "enriched:10", "vip:10",
                "enriched:11", "enriched:12",
                "test:13", "unmatched:14",
                "dlq:key-5");
        assertThat(out.get(0).value().get("full_name").asText()).isEqualTo("Ann Lee");
        assertThat(out.get(0).value().get("club_status").asText()).isEqualTo("platinum");
        // the VIP topic carries its fields, in their order
        assertThat(fieldNames(out.get(1).value())).containsExactly("full_name", "club_status", "stars", "rating_id");
        assertThat(out.get(4).value().has("club_status")).as("a test rating is not joined").isFalse();
        assertThat(out.get(6).value().get("source").asText()).isEqualTo("ratings-0@5");
        assertThat(out.get(6).value().get("reason").asText()).startsWith("not JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"${variable.stars} == 5", "${variables.stars} == 5", "${variableAs('stars', Integer)} == 5",
            "${variableAs(stars, Integer)} == 5", "${body[stars]} == 5"})
    void aRuleMayNameAFieldInAnyWaySimpleAllows(String rule) throws Exception {
        List<Out> out = route(table(SHIPPED_TEST, rule), rating(20, 2, 5, "web"), rating(21, 2, 4, "web"));

        assertThat(out).extracting(Out::where).containsExactly(
                "enriched:20", "vip:20", "enriched:21");
    }

    @Test
    void aFieldWithoutAValueReadsAsNull() throws Exception {
        // customer 2 has no last name: variables cannot hold null, the rule must still see "no value"
        List<Out> out = route(table(SHIPPED_TEST, "${variable.last_name} == null && ${variable.first_name} == 'Bo'"),
                rating(30, 2, 3, "web"), rating(31, 1, 3, "web"));

        assertThat(out).extracting(Out::where).containsExactly(
                "enriched:30", "vip:30", "enriched:31");
    }

    @Test
    void aFieldWithoutAValueIsNotTheLastRatingsValue() throws Exception {
        // one view serves the whole batch: customer 1's last name must not linger into customer 2's rating after it
        List<Out> out = route(table(SHIPPED_TEST, "${variable.last_name} == null && ${variable.first_name} == 'Bo'"),
                rating(32, 1, 3, "web"), rating(33, 2, 3, "web"), rating(34, 1, 3, "web"));

        assertThat(out).extracting(Out::where).containsExactly(
                "enriched:32", "enriched:33", "vip:33", "enriched:34");
    }

    @Test
    void aRuleThatReadsMoreThanItsVariablesIsEvaluatedForEveryRating() throws Exception {
        // the same stars, different users: a rule whose answer were remembered per variable value would repeat the
        // first rating's answer for the second
        List<Out> out = route(table(SHIPPED_TEST, "${variable.stars} == 5 && ${body[user_id]} == 2"),
                rating(50, 1, 5, "web"), rating(51, 2, 5, "web"), rating(52, 1, 5, "web"), rating(53, 2, 5, "web"));

        assertThat(out).extracting(Out::where).containsExactly(
                "enriched:50", "enriched:51", "vip:51", "enriched:52", "enriched:53", "vip:53");
    }

    @Test
    void rememberedAnswersFollowEveryCombinationOfTheRulesValues() throws Exception {
        // one table, so one remembered rule across batches: every (stars, club status) pair keeps its own answer
        RatingsRouting table = table(SHIPPED_TEST, SHIPPED_VIP);
        for (int round = 0; round < 2; round++) {
            List<Out> out = route(table, rating(60, 1, 1, "web"), rating(61, 2, 1, "web"), rating(62, 1, 3, "web"),
                    rating(63, 1, 2, "Web-Test"), rating(64, 1, 2, "web"));
            assertThat(out).extracting(Out::where).containsExactly(
                    "enriched:60", "vip:60", "enriched:61", "enriched:62", "test:63", "enriched:64", "vip:64");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"${body[stars]} == 5", "${variable.stars} > ${random(5)}", "${variable.channel} == $simple{header.x}",
            "${header.channel} == 'web'", "${variables} != null", "${date:now:yyyy} == '2026'"})
    void onlyARuleOfItsVariablesAloneIsRemembered(String rule) {
        assertThat(RatingsRouting.readsOnlyVariables(rule)).isFalse();
        assertThat(RatingsRouting.readsOnlyVariables(SHIPPED_TEST)).isTrue();
        assertThat(RatingsRouting.readsOnlyVariables(SHIPPED_VIP)).isTrue();
        assertThat(RatingsRouting.readsOnlyVariables("${variableAs('stars', Integer)} == 5")).isTrue();
    }

    @Test
    void anEditedRuleIsCompiledAgain() throws Exception {
        RatingsRouting table = table(SHIPPED_TEST, SHIPPED_VIP);
        assertThat(route(table, rating(40, 1, 4, "web"))).extracting(Out::topic).containsExactly("enriched");

        table.setUnhappyVip("${variable.stars} < 5");
        assertThat(route(table, rating(41, 1, 4, "web"))).extracting(Out::topic).containsExactly("enriched", "vip");
    }

    private RatingsRouting table(String test, String unhappyVip) {
        RatingsRouting table = new RatingsRouting();
        table.setCamelContext(context);
        table.setDeadLetterTopic("dlq");
        table.setTest(test);
        table.setTestTopic("test");
        table.setUnmatchedTopic("unmatched");
        table.setEnrichedTopic("enriched");
        table.setUnhappyVip(unhappyVip);
        table.setVipTopic("vip");
        table.setVipFields("full_name, club_status,stars,rating_id");
        return table;
    }

    private byte[] rating(long id, int user, int stars, String channel) throws Exception {
        return json.writeValueAsBytes(Map.of("rating_id", id, "user_id", user, "stars", stars, "channel", channel,
                "message", "m" + id, "rating_time", 1_700_000_000_000L + id));
    }

    /** One Kafka batch as camel-kafka hands it over (a list of exchanges, one per record) through the table. */
    private List<Out> route(RatingsRouting table, byte[]... values) throws Exception {
        List<Exchange> records = new ArrayList<>();
        for (byte[] value : values) {
            Exchange record = new DefaultExchange(context);
            record.getMessage().setBody(value);
            record.getMessage().setHeader(KafkaConstants.TOPIC, "ratings");
            record.getMessage().setHeader(KafkaConstants.PARTITION, 0);
            record.getMessage().setHeader(KafkaConstants.OFFSET, offset);
            record.getMessage().setHeader(KafkaConstants.KEY, "key-" + offset++);
            records.add(record);
        }
        Exchange batch = new DefaultExchange(context);
        batch.getMessage().setBody(records);
        table.route(batch);
        List<Out> out = new ArrayList<>();
        for (Object o : batch.getMessage().getBody(List.class)) {
            ProducerRecord<?, ?> r = (ProducerRecord<?, ?>) o;
            out.add(new Out(r.topic(), (String) r.key(), json.readTree((byte[]) r.value())));
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private record Out(String topic, String key, JsonNode value) {

        String where() {
            return topic + ":" + key;
        }
    }
}
