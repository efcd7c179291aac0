package io.sluice.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.Search;
import io.sluice.harness.Topics;
import io.sluice.sales.SalesSequence;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads every sink of a run and compares it with the workload's ground truth: per sink, what was expected, how
 * many distinct results arrived, how many are missing (lost), how many arrived more than once where that is not
 * allowed (duplicated), and anything there that should not be (extra).
 */
final class SinkCheck {

    /**
     * One sink's verdict. {@code repeats} counts records delivered again on a topic whose consumers dedupe by key
     * (at-least-once is allowed there); {@code duplicated} counts doubles where none are allowed.
     */
    record Result(String sink, long expected, long delivered, long lost, long duplicated, long extra, long repeats, String note) {
        boolean exact() {
            return lost == 0 && duplicated == 0 && extra == 0;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunningSluice config;
    private final MixedWorkload truth;
    private final Db db;
    private final Topics topics;
    private final Search search;
    /** Slack posts seen per rating id (filled by the receiver's listener for the whole run). */
    final Map<String, AtomicInteger> slackPosts = new ConcurrentHashMap<>();

    SinkCheck(RunningSluice config, MixedWorkload truth, Db db, Topics topics, Search search) {
        this.config = config;
        this.truth = truth;
        this.db = db;
        this.topics = topics;
        this.search = search;
    }

    /** For the Slack receiver's listener: texts are "fault &lt;rating_id&gt;" (the run's template). */
    void slackPosted(JsonNode message) {
        String path = message.path("path").asText();
        String text = message.path("text").asText();
        if (path.endsWith("/" + config.prefix()) && text.startsWith("fault ")) {
            slackPosts.computeIfAbsent(text.substring("fault ".length()).strip(), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** The sinks still short of their expected results (empty = the run is complete); cheap enough to poll. */
    List<String> incomplete() throws SQLException {
        List<String> missing = new ArrayList<>();
        addIfShort(missing, "table sales", salesRows()[1], truth.sales);
        addIfShort(missing, "table loanrequest", db.count("SELECT COUNT(*) FROM loanrequest WHERE loan_id LIKE ?", config.prefix() + "-%"),
                truth.loanRequests.size());
        addIfShort(missing, "table loan_disburse", db.count("SELECT COUNT(*) FROM loan_disburse WHERE loan_id LIKE ?", config.prefix() + "-%"),
                truth.disbursements.size());
        addIfShort(missing, "ES ratings", search.count(index("sluice.search.ratings-index")), truth.enriched.size());
        addIfShort(missing, "ES unhappy", search.count(index("sluice.search.vip-index")), truth.unhappy.size());
        addIfShort(missing, "Slack posted or dead-lettered", slackAccounted(), truth.unhappy.size());
        addIfShort(missing, "sales_summary", SalesSequence.summaryTable(db).size(), truth.salesSummary.size());
        addIfShort(missing, "ratings-by-club-status windows",
                keys(topics.readAll(config.property("sluice.ratings.by-club-status-topic"))).size(), truth.ratingsByClub.size());
        addIfShort(missing, "ratings-by-club-status hopping windows",
                keys(topics.readAll(config.property("sluice.ratings.hopping-topic"))).size(), truth.ratingsByClubHopping.size());
        addIfShort(missing, "ratings sessions per customer",
                keys(topics.readAll(config.property("sluice.ratings.sessions-topic"))).size(), truth.sessions().size());
        addIfShort(missing, "customers topic current", customers().delivered(), truth.customers.size());
        for (Map.Entry<String, Set<String>> bad : truth.malformedKeys.entrySet()) {
            Result letters = deadLetters(bad.getKey(), bad.getValue());
            addIfShort(missing, letters.sink(), letters.delivered(), letters.expected());
        }
        return missing;
    }

    private static void addIfShort(List<String> missing, String sink, long got, long expected) {
        if (got < expected) {
            missing.add(sink + " " + got + "/" + expected);
        }
    }

    List<Result> all() throws Exception {
        List<Result> results = new ArrayList<>();
        results.add(customers());
        results.add(topic("ratings-enriched", "sluice.ratings.enriched-topic", truth.enriched));
        results.add(topic("ratings-test", "sluice.ratings.test-topic", truth.test));
        results.add(topic("ratings-unmatched", "sluice.ratings.unmatched-topic", truth.unmatched));
        results.add(topic("UNHAPPY_PLATINUM_CUSTOMERS", "sluice.vip.topic", truth.unhappy));
        results.add(documents("ES ratings index", "sluice.search.ratings-index", truth.enriched.size()));
        results.add(documents("ES unhappy-VIP index", "sluice.search.vip-index", truth.unhappy.size()));
        results.add(slack());
        results.add(salesTable());
        results.add(salesSummary());
        results.add(ratingsByClub());
        results.add(hoppingByClub());
        results.add(sessions());
        results.add(loanRequests());
        results.add(loanDisburse());
        results.add(disbursementEvents());
        for (Map.Entry<String, Set<String>> bad : truth.malformedKeys.entrySet()) {
            results.add(deadLetters(bad.getKey(), bad.getValue()));
        }
        return results;
    }

    // --- CDC: the last value per customer on the topic is the row as it is now ---------------------------------

    private Result customers() throws SQLException {
        Map<Integer, String> rows = new HashMap<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, comments FROM customers WHERE last_name = ?")) {
            ps.setString(1, config.prefix());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        List<ConsumerRecord<String, String>> records = topics.readAll(config.prefix() + ".demo.CUSTOMERS");
        Map<String, String> last = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            last.put(r.key(), r.value());
        }
        long lost = 0;
        long matching = 0;
        String example = "";
        for (Map.Entry<Integer, String> row : rows.entrySet()) {
            String value = last.get(row.getKey().toString());
            JsonNode current = value == null ? null : read(value);
            if (current != null && java.util.Objects.equals(row.getValue(), current.path("comments").asText(null))) {
                matching++;
            } else {
                lost++;
                example = "; e.g. customer " + row.getKey() + ": row says " + row.getValue() + ", topic " + value;
            }
        }
        return new Result("customers topic (CDC, last value = row)", rows.size(), matching, lost, 0, 0, 0,
                truth.customerUpdates + " updates of " + rows.size() + " customers" + example);
    }

    // --- topics keyed by rating id: consumers (ES, windows, alerts) dedupe by key ---------------------------

    private Result topic(String name, String property, Set<String> expected) {
        List<ConsumerRecord<String, String>> records = topics.readAll(config.property(property));
        Set<String> got = keys(records);
        // Sluice's working headers must stay inside Sluice (a leaked sluiceRejected dead-lettered valid alerts)
        long leaked = records.stream().filter(r -> java.util.Arrays.stream(r.headers().toArray())
                .anyMatch(h -> h.key().toLowerCase(java.util.Locale.ROOT).startsWith("sluice"))).count();
        Result r = compare(name + " topic", expected, got, 0, records.size() - got.size(),
                leaked == 0 ? "" : leaked + " records carry sluice* headers");
        return leaked == 0 ? r : new Result(r.sink(), r.expected(), r.delivered(), r.lost(), r.duplicated(), r.extra() + leaked,
                r.repeats(), r.note());
    }

    private Result documents(String name, String indexProperty, long expected) {
        long count = search.count(index(indexProperty));
        return new Result(name, expected, count, Math.max(0, expected - count), 0, Math.max(0, count - expected), 0,
                "document id = rating_id");
    }

    private String index(String property) {
        return config.property(property);
    }

    // --- Slack: every unhappy rating posted once, or dead-lettered with a reason ----------------------------

    /**
     * Alerts dead-lettered for a reason that is Slack's (an outage outlasting the retries, a refusal) or a crash in
     * the middle of a post; any other reason on a valid alert is a wrong rejection, not an accounted one.
     */
    private static Set<String> slackDeadLetters(List<ConsumerRecord<String, String>> letters) {
        Set<String> keys = new HashSet<>();
        for (ConsumerRecord<String, String> r : letters) {
            String reason = read(r.value()).path("reason").asText();
            if (reason.startsWith("Slack") || reason.startsWith("Sluice stopped while this alert was being posted")) {
                keys.add(r.key());
            }
        }
        return keys;
    }

    private long slackAccounted() {
        Set<String> accounted = new HashSet<>(slackPosts.keySet());
        accounted.addAll(slackDeadLetters(topics.readAll(config.property("sluice.slack.dlq-topic"))));
        accounted.retainAll(truth.unhappy);
        return accounted.size();
    }

    private Result slack() {
        List<ConsumerRecord<String, String>> letters = topics.readAll(config.property("sluice.slack.dlq-topic"));
        Set<String> deadLettered = slackDeadLetters(letters);
        Set<String> accounted = new HashSet<>(slackPosts.keySet());
        accounted.addAll(deadLettered);
        long doubled = slackPosts.values().stream().filter(n -> n.get() > 1).count();
        Set<String> extra = new HashSet<>(slackPosts.keySet());
        extra.removeAll(truth.unhappy);
        Set<String> lost = new HashSet<>(truth.unhappy);
        lost.removeAll(accounted);
        return new Result("Slack posts", truth.unhappy.size(), slackPosts.size(), lost.size(), doubled, extra.size(), 0,
                letters.size() + " dead-lettered (" + deadLettered.size() + " for Slack's reasons)" + reasons(letters));
    }

    // --- database sinks -----------------------------------------------------------------------------------------

    /** {rows, distinct event ids} of this run's sales (event id = topic-partition@offset). */
    long[] salesRows() throws SQLException {
        return SalesSequence.salesRows(db, config.property("sluice.sales.topic") + "-");
    }

    private Result salesTable() throws SQLException {
        long[] rows = salesRows();
        return new Result("table sales", truth.sales, rows[1], Math.max(0, truth.sales - rows[1]), rows[0] - rows[1],
                Math.max(0, rows[1] - truth.sales), 0, "event id = topic-partition@offset");
    }

    private Result salesSummary() throws SQLException {
        Map<String, SalesSequence.Totals> rows = SalesSequence.summaryTable(db);
        long exact = truth.salesSummary.entrySet().stream().filter(cell -> cell.getValue().equals(rows.get(cell.getKey()))).count();
        long wrong = truth.salesSummary.size() - exact;
        long extra = rows.keySet().stream().filter(k -> !truth.salesSummary.containsKey(k)).count();
        long sales = rows.entrySet().stream().filter(e -> e.getKey().endsWith("/*")).mapToLong(e -> e.getValue().count()).sum();
        return new Result("table sales_summary (window, item)", truth.salesSummary.size(), exact, wrong, 0, extra, 0,
                "windows count " + sales + " sales of " + truth.sales + "; a lost or doubled sale makes its window wrong");
    }

    private Result ratingsByClub() {
        List<ConsumerRecord<String, String>> records = topics.readAll(config.property("sluice.ratings.by-club-status-topic"));
        Map<String, Long> got = new TreeMap<>();
        for (ConsumerRecord<String, String> r : records) {
            JsonNode w = read(r.value());
            got.put(w.path("window_start").asLong() + "/" + w.path("club_status").asText(), w.path("count").asLong());
        }
        long exact = truth.ratingsByClub.entrySet().stream().filter(e -> e.getValue().equals(got.get(e.getKey()))).count();
        long extra = got.keySet().stream().filter(k -> !truth.ratingsByClub.containsKey(k)).count();
        long counted = got.values().stream().mapToLong(Long::longValue).sum();
        return new Result("ratings-by-club-status windows", truth.ratingsByClub.size(), exact, truth.ratingsByClub.size() - exact,
                0, extra, records.size() - got.size(), "windows count " + counted + " ratings of " + truth.enriched.size());
    }

    private Result hoppingByClub() {
        List<ConsumerRecord<String, String>> records = topics.readAll(config.property("sluice.ratings.hopping-topic"));
        Map<String, Long> got = new TreeMap<>();
        for (ConsumerRecord<String, String> r : records) {
            JsonNode w = read(r.value());
            got.put(w.path("window_start").asLong() + "/" + w.path("club_status").asText(), w.path("count").asLong());
        }
        Map<String, Long> want = truth.ratingsByClubHopping;
        long exact = want.entrySet().stream().filter(e -> e.getValue().equals(got.get(e.getKey()))).count();
        long extra = got.keySet().stream().filter(k -> !want.containsKey(k)).count();
        return new Result("hopping windows (club status, " + MixedWorkload.HOP_SIZE + " ms every " + MixedWorkload.HOP_ADVANCE + ")",
                want.size(), exact, want.size() - exact, 0, extra, records.size() - got.size(), "each rating counts in every window holding it");
    }

    private Result sessions() {
        List<ConsumerRecord<String, String>> records = topics.readAll(config.property("sluice.ratings.sessions-topic"));
        Map<String, String> got = new TreeMap<>();
        for (ConsumerRecord<String, String> r : records) {
            JsonNode w = read(r.value());
            got.put(r.key(), w.path("window_start").asLong() + ".." + w.path("window_end").asLong() + " " + w.path("count").asLong());
        }
        Map<String, String> want = truth.sessions();
        long exact = want.entrySet().stream().filter(e -> e.getValue().equals(got.get(e.getKey()))).count();
        long extra = got.keySet().stream().filter(k -> !want.containsKey(k)).count();
        return new Result("sessions per customer (gap " + MixedWorkload.SESSION_GAP + " ms)", want.size(), exact,
                want.size() - exact, 0, extra, records.size() - got.size(), "a lost or doubled rating changes its session");
    }

    private Result loanRequests() throws SQLException {
        Set<String> got = new HashSet<>();
        long rows = 0;
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT cust_ids, loan_id FROM loanrequest WHERE loan_id LIKE ?")) {
            ps.setString(1, config.prefix() + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    got.add(rs.getInt(1) + "/" + rs.getString(2));
                    rows++;
                }
            }
        }
        return compare("table loanrequest", truth.loanRequests, got, rows - got.size(), 0, "key (cust_ids, loan_id)");
    }

    private Result loanDisburse() throws SQLException {
        Set<String> got = new HashSet<>();
        long rows = 0;
        long wrongInstalment = 0;
        long wrongApprover = 0;
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT cust_ids, loan_id, monthly_inst, approved_by FROM loan_disburse WHERE loan_id LIKE ?")) {
            ps.setString(1, config.prefix() + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getInt(1) + "/" + rs.getString(2);
                    got.add(key);
                    rows++;
                    if (!Long.valueOf(rs.getLong(3)).equals(truth.disbursements.get(key))) {
                        wrongInstalment++;
                    }
                    if (!MixedWorkload.APPROVER.equals(rs.getString(4))) {
                        wrongApprover++;
                    }
                }
            }
        }
        return compare("table loan_disburse", truth.disbursements.keySet(), got, rows - got.size(), 0,
                wrongInstalment + " with a wrong monthly_inst, " + wrongApprover + " with a wrong approved_by");
    }

    private Result disbursementEvents() {
        List<ConsumerRecord<String, String>> records = topics.readAll(config.property("sluice.loans.disbursement-topic"));
        Set<String> got = new HashSet<>();
        for (ConsumerRecord<String, String> r : records) {
            JsonNode d = read(r.value());
            got.add(d.path("cust_ids").asInt() + "/" + d.path("loan_id").asText());
        }
        return compare("disbursement events", truth.disbursements.keySet(), got, records.size() - got.size(), 0, "");
    }

    private Result deadLetters(String inputTopic, Set<String> badKeys) {
        String dlq = switch (inputTopic) {
            case String t when t.equals(config.property("sluice.ratings.topic")) -> config.property("sluice.ratings.dlq-topic");
            case String t when t.equals(config.property("sluice.sales.topic")) -> config.property("sluice.sales.dlq-topic");
            default -> config.property("sluice.loans.dlq-topic");
        };
        List<ConsumerRecord<String, String>> letters = topics.readAll(dlq).stream()
                .filter(r -> r.key() != null && r.key().startsWith("bad-")).toList();
        Set<String> forThisInput = new HashSet<>();
        for (ConsumerRecord<String, String> r : letters) {
            if (read(r.value()).path("source").asText().startsWith(inputTopic + "-")) {
                forThisInput.add(r.key());
            }
        }
        Set<String> got = new HashSet<>(forThisInput);
        return compare("dead letters of " + shortName(inputTopic), badKeys, got, 0, letters.size() - keys(letters).size(),
                reasons(letters.stream().filter(r -> badKeys.contains(r.key())).toList()));
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private Result compare(String sink, Set<String> expected, Set<String> got, long duplicated, long repeats, String note) {
        Set<String> lost = new HashSet<>(expected);
        lost.removeAll(got);
        Set<String> extra = new HashSet<>(got);
        extra.removeAll(expected);
        return new Result(sink, expected.size(), got.size() - extra.size(), lost.size(), duplicated, extra.size(), repeats, note);
    }

    private static Set<String> keys(Collection<ConsumerRecord<String, String>> records) {
        Set<String> keys = new HashSet<>();
        records.forEach(r -> keys.add(r.key()));
        return keys;
    }

    /** The reasons of dead letters, most frequent first, shortened to their kind. */
    private static String reasons(List<ConsumerRecord<String, String>> letters) {
        Map<String, Integer> byReason = new TreeMap<>();
        for (ConsumerRecord<String, String> r : letters) {
            String reason = read(r.value()).path("reason").asText();
            byReason.merge(reason.length() > 60 ? reason.substring(0, 60) + "…" : reason, 1, Integer::sum);
        }
        if (byReason.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("; reasons: ");
        byReason.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue())
                .forEach(e -> b.append(e.getValue()).append("× ").append(e.getKey().replace("|", "/")).append("; "));
        return b.substring(0, b.length() - 2);
    }

    private String shortName(String topic) {
        return topic.substring(config.prefix().length() + 1);
    }

    private static JsonNode read(String value) {
        try {
            return value == null ? JSON.nullNode() : JSON.readTree(value);
        } catch (Exception e) {
            return JSON.nullNode();
        }
    }
}
