package io.sluice.alerts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetter;
import io.sluice.kafka.DeadLetterConsole;
import io.sluice.kafka.ReplayHook;
import io.sluice.kafka.TopicTail;
import io.sluice.ops.ApiRole;
import org.apache.camel.Exchange;

/**
 * The console's VIP alerts ({@code /api/console/alerts}): the newest unhappy-VIP events (the VIP topic), each with
 * its Slack state from the ledger ({@link AlertLedger}: sent, failed, pending, sending) — an alert dead-lettered
 * because Sluice stopped mid-post shows as {@code unknown} — and its dead letter. <b>Re-send</b> replays that dead
 * letter (at most once: {@link DeadLetterConsole}) after reopening the alert in the ledger ({@link #beforeReplay}),
 * so the alerts flow posts it like a new one, with its retries and dead-lettering; if it fails again there is a new
 * letter to re-send.
 */
public final class AlertsConsole implements ReplayHook {

    static final int NEWEST = 50;
    private final Supplier<DataSource> dataSource;
    private final Supplier<DeadLetterConsole> deadLetters;
    private final Supplier<TopicTail> tail;
    private final String vipTopic;
    private final String dlqTopic;
    private final ObjectMapper json;

    public AlertsConsole(Supplier<DataSource> dataSource, Supplier<DeadLetterConsole> deadLetters, Supplier<TopicTail> tail,
                         String vipTopic, String dlqTopic, ObjectMapper json) {
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
        this.tail = tail;
        this.vipTopic = vipTopic;
        this.dlqTopic = dlqTopic;
        this.json = json;
    }

    /** Route step: the newest VIP events, newest first, with their state, reason and last re-send. */
    public Map<String, Object> list(Exchange exchange) throws Exception {
        List<TopicTail.Rec> events = tail.get().newest(vipTopic, NEWEST);
        Map<String, DeadLetter> letters = newestLetters();
        Map<String, DeadLetterConsole.Action> actions = deadLetters.get().actions(new ArrayList<>(letters.values()));
        List<String> ids = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (TopicTail.Rec r : events) {
            JsonNode e;
            try {
                e = json.readTree(r.value());
            } catch (Exception notJson) {
                continue; // the alerts flow dead-letters it; the dead-letters page shows it
            }
            String id = e.path("rating_id").asText();
            if (ids.contains(id)) {
                continue; // a re-sent alert is on the topic twice: one row, its newest
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("rating_id", id);
            row.put("time", Instant.ofEpochMilli(r.timestamp()).toString());
            row.put("email", e.path("email").asText(null));
            row.put("full_name", e.path("full_name").asText(null));
            row.put("stars", e.path("stars").isMissingNode() ? null : e.path("stars").asInt());
            row.put("message", e.path("message").asText(null));
            DeadLetter letter = letters.get(id);
            if (letter != null) {
                row.put("reason", letter.reason());
                row.put("letter", Map.of("topic", letter.topic(), "partition", letter.partition(), "offset", letter.offset()));
                row.put("resent", actions.get(DeadLetterConsole.coordinates(letter.topic(), letter.partition(), letter.offset())));
            }
            ids.add(id);
            rows.add(row);
        }
        Map<String, String> states = states(ids);
        for (Map<String, Object> row : rows) {
            String state = states.getOrDefault((String) row.get("rating_id"), "pending");
            Object reason = row.get("reason");
            if ("failed".equals(state) && reason != null && reason.toString().startsWith("Sluice stopped while")) {
                state = "unknown";
            }
            row.put("state", state);
        }
        return Map.of("alerts", rows);
    }

    /** Route step for POST …/alerts/{ratingId}/resend (approver): 200 re-sent; 404 no such failed alert; 409 not now. */
    public Map<String, Object> resend(Exchange exchange) throws Exception {
        String id = exchange.getMessage().getHeader("ratingId", String.class);
        DeadLetter letter = newestLetters().get(id);
        if (letter == null) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            return Map.of("error", "no dead-lettered alert for rating " + id);
        }
        DeadLetterConsole.Outcome o = deadLetters.get().act(exchange.getMessage().getHeader(ApiRole.USER, String.class), "resend",
                letter.topic(), letter.partition(), letter.offset());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, switch (o.outcome()) {
            case "replayed" -> 200;
            case "failed" -> 503;
            case "not-found" -> 404;
            default -> 409;
        });
        return Map.of("rating_id", id, "outcome", o.outcome(), "detail", o.detail());
    }

    @Override
    public boolean appliesTo(String deadLetterTopic) {
        return dlqTopic.equals(deadLetterTopic);
    }

    /**
     * Reopens the alert (failed → pending) so the flow posts it again; one whose ledger says anything else — sent,
     * or pending / sending because it is being posted now — is not replayed.
     */
    @Override
    public String beforeReplay(DeadLetter letter) throws Exception {
        String id = ratingId(letter);
        if (id == null) {
            return null; // not an alert the ledger knows (refused before it): replayed as it is
        }
        try (Connection c = dataSource.get().getConnection();
             PreparedStatement reopen = c.prepareStatement("UPDATE slack_alert SET state = 'pending' WHERE rating_id = ? AND state = 'failed'")) {
            reopen.setString(1, id);
            if (reopen.executeUpdate() == 1) {
                return null;
            }
        }
        String state = states(List.of(id)).get(id);
        return state == null ? null : "the alert for rating " + id + " is " + state + ", not failed: not posted again";
    }

    /** The re-send did not reach Kafka: the alert is failed again (not left pending, where no one would re-send it). */
    @Override
    public void replayFailed(DeadLetter letter) throws Exception {
        String id = ratingId(letter);
        if (id != null) {
            try (Connection c = dataSource.get().getConnection();
                 PreparedStatement back = c.prepareStatement("UPDATE slack_alert SET state = 'failed' WHERE rating_id = ? AND state = 'pending'")) {
                back.setString(1, id);
                back.executeUpdate();
            }
        }
    }

    /** Each rating's newest dead letter in the alerts dead-letter topic. */
    private Map<String, DeadLetter> newestLetters() {
        Map<String, DeadLetter> out = new HashMap<>();
        for (DeadLetter l : deadLetters.get().letters(dlqTopic)) { // newest first
            String id = ratingId(l);
            if (id != null) {
                out.putIfAbsent(id, l);
            }
        }
        return out;
    }

    private String ratingId(DeadLetter letter) {
        try {
            JsonNode id = json.readTree(letter.payload()).path("rating_id");
            return id.isMissingNode() || id.isNull() ? null : id.asText();
        } catch (Exception e) {
            return null;
        }
    }

    private Map<String, String> states(List<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new HashMap<>();
        String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
        try (Connection c = dataSource.get().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT rating_id, state FROM slack_alert WHERE rating_id IN (" + marks + ")")) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setString(i + 1, ids.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }
}
