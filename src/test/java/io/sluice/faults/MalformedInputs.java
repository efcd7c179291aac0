package io.sluice.faults;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import io.sluice.harness.RunningSluice;

/**
 * Bad records of many kinds for every input topic Sluice reads: each must land in its flow's dead-letter topic
 * with a reason, and the good records around it must go on. Every one is invalid by the spec (not JSON, not an
 * object, a required field missing or of the wrong type or out of range, too big, not UTF-8, a tombstone), so
 * the expected outcome does not depend on Sluice.
 */
final class MalformedInputs {

    private record Kind(String name, String topicProperty, byte[] value) {
        static Kind text(String name, String topicProperty, String value) {
            return new Kind(name, topicProperty, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static final String RATINGS = "sluice.ratings.topic";
    private static final String SALES = "sluice.sales.topic";
    private static final String REQUESTS = "sluice.loans.request-topic";
    private static final String APPROVALS = "sluice.loans.approval-topic";
    private static final String RATING = "{\"rating_id\":%s,\"user_id\":%s,\"stars\":%s,\"rating_time\":1760000000000,\"channel\":\"web\",\"message\":%s}";

    private static final List<Kind> KINDS = List.of(
            Kind.text("rating: plain text", RATINGS, "this is not json"),
            Kind.text("rating: truncated JSON", RATINGS, "{\"rating_id\":1,\"user_id\":2,\"sta"),
            Kind.text("rating: empty value", RATINGS, ""),
            Kind.text("rating: tombstone (null value)", RATINGS, null),
            Kind.text("rating: JSON array", RATINGS, "[1,2,3]"),
            Kind.text("rating: JSON string", RATINGS, "\"a rating\""),
            Kind.text("rating: JSON null", RATINGS, "null"),
            Kind.text("rating: only white space", RATINGS, " \n\t "),
            Kind.text("rating: stars of the wrong type", RATINGS, RATING.formatted("7", "1", "\"five\"", "\"x\"")),
            Kind.text("rating: stars out of range", RATINGS, RATING.formatted("7", "1", "9", "\"x\"")),
            Kind.text("rating: user_id a fraction", RATINGS, RATING.formatted("7", "1.5", "2", "\"x\"")),
            Kind.text("rating: rating_id beyond 64 bits", RATINGS, RATING.formatted("1e30", "1", "2", "\"x\"")),
            Kind.text("rating: rating_id missing", RATINGS, "{\"user_id\":1,\"stars\":2,\"message\":\"no id\"}"),
            Kind.text("rating: unknown fields only", RATINGS, "{\"colour\":\"red\",\"size\":42,\"nested\":{\"a\":[1]}}"),
            Kind.text("rating: message a number", RATINGS, RATING.formatted("7", "1", "2", "12345")),
            Kind.text("rating: duplicate field", RATINGS, "{\"rating_id\":1,\"rating_id\":2,\"user_id\":1,\"stars\":2}"),
            Kind.text("rating: text after the object", RATINGS, RATING.formatted("7", "1", "2", "\"x\"") + " trailing"),
            Kind.text("rating: huge value (100 KB message)", RATINGS, RATING.formatted("7", "1", "2", "\"" + "x".repeat(100_000) + "\"")),
            new Kind("rating: Latin-1 bytes, not UTF-8", RATINGS,
                    RATING.formatted("7", "1", "2", "\"caf\u00e9\"").getBytes(StandardCharsets.ISO_8859_1)),
            new Kind("rating: UTF-16 encoded", RATINGS,
                    RATING.formatted("7", "1", "2", "\"x\"").getBytes(StandardCharsets.UTF_16)),
            Kind.text("sale: amount of the wrong type", SALES, "{\"item\":\"a\",\"amount\":\"lots\",\"time\":1}"),
            Kind.text("sale: item missing", SALES, "{\"amount\":20,\"time\":1}"),
            Kind.text("sale: negative time", SALES, "{\"item\":\"a\",\"amount\":20,\"time\":-1}"),
            Kind.text("sale: item too long", SALES, "{\"item\":\"" + "i".repeat(100) + "\",\"amount\":20,\"time\":1}"),
            Kind.text("sale: not JSON", SALES, "item=a;amount=20"),
            Kind.text("sale: tombstone (null value)", SALES, null),
            Kind.text("loan request: negative amount", REQUESTS, "{\"cust_ids\":145,\"loan_amount\":-5,\"loan_id\":\"X\"}"),
            Kind.text("loan request: cust_ids not a number", REQUESTS, "{\"cust_ids\":\"abc\",\"loan_amount\":5,\"loan_id\":\"X\"}"),
            Kind.text("loan request: loan_id missing", REQUESTS, "{\"cust_ids\":145,\"loan_amount\":5}"),
            Kind.text("loan request: not JSON", REQUESTS, "<loan/>"),
            Kind.text("loan request: tombstone (null value)", REQUESTS, null),
            Kind.text("loan approval: cust_ids missing", APPROVALS, "{\"loan_id\":\"X\",\"approved_by\":\"ops\"}"),
            Kind.text("loan approval: approved_by missing", APPROVALS, "{\"cust_ids\":145,\"loan_id\":\"X\"}"),
            Kind.text("loan approval: JSON array", APPROVALS, "[\"X\"]"),
            Kind.text("loan approval: not JSON", APPROVALS, "approve X"),
            Kind.text("loan approval: tombstone (null value)", APPROVALS, null));

    static int kinds() {
        return KINDS.size();
    }

    /** {@code n} bad records, the kinds taken in turn; each keyed "bad-&lt;n&gt;" and noted in the workload's truth. */
    static List<MixedWorkload.Record> make(RunningSluice config, int n, MixedWorkload truth) {
        List<MixedWorkload.Record> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Kind kind = KINDS.get(i % KINDS.size());
            String topic = config.property(kind.topicProperty());
            String key = "bad-" + i;
            records.add(new MixedWorkload.Record(topic, key, kind.value()));
            truth.malformedKeys.computeIfAbsent(topic, t -> new HashSet<>()).add(key);
            truth.malformedKinds.merge(kind.name(), 1, Integer::sum);
        }
        return records;
    }

    private MalformedInputs() {
    }
}
