package io.sluice.windows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.TopicTail;
import org.apache.camel.Exchange;

/**
 * The console's windows ({@code GET /api/console/windows}): for every window this instance runs (sales totals per
 * item and overall, ratings per club status per minute, and any added by properties), its latest results as read from
 * its output topic (committed transactions only): per window start, the value of each group — the window's first
 * {@code total_<field>}, else its {@code count}. The page draws each as a small chart.
 */
public final class WindowsConsole {

    /** Results read per output partition; the page shows the last {@value #WINDOWS} window starts. */
    static final int NEWEST = 400;
    static final int WINDOWS = 12;
    private final Windows windows;
    private final Supplier<TopicTail> tail;
    private final ObjectMapper json;

    public WindowsConsole(Windows windows, Supplier<TopicTail> tail, ObjectMapper json) {
        this.windows = windows;
        this.tail = tail;
        this.json = json;
    }

    public Map<String, Object> list(Exchange exchange) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (WindowAggregator w : new TreeMap<>(windows.aggregators()).values()) {
            WindowSpec spec = w.spec();
            if (spec == null || w.outputTopic() == null || w.streams() == null) {
                continue; // configured but not run here (autoStartup false, as the examples are by default)
            }
            String measure = spec.aggregate().sumField() != null ? "total_" + spec.aggregate().sumField() : "count";
            // window start -> group -> value; a result published again for the same window and group replaces the first
            TreeMap<Long, Map<String, Long>> byStart = new TreeMap<>();
            TreeSet<String> groups = new TreeSet<>();
            List<TopicTail.Rec> recs = new ArrayList<>(tail.get().newest(w.outputTopic(), NEWEST));
            java.util.Collections.reverse(recs); // oldest first, so the newest result of a window wins
            for (TopicTail.Rec r : recs) {
                try {
                    JsonNode result = json.readTree(r.value());
                    long start = result.path("window_start").asLong(r.timestamp());
                    String group = result.path(spec.groupBy()).asText();
                    byStart.computeIfAbsent(start, s -> new TreeMap<>()).put(group, result.path(measure).asLong());
                    groups.add(group);
                } catch (Exception notAResult) {
                    // not JSON: nothing to draw
                }
            }
            while (byStart.size() > WINDOWS) {
                byStart.pollFirstEntry();
            }
            List<Map<String, Object>> points = new ArrayList<>();
            byStart.forEach((start, values) -> points.add(Map.of("window_start", start, "values", values)));
            Map<String, Object> window = new LinkedHashMap<>();
            window.put("name", spec.name());
            window.put("kind", spec.kind().name().toLowerCase());
            window.put("size", spec.size());
            window.put("group_by", spec.groupBy());
            window.put("measure", measure);
            window.put("topic", w.outputTopic());
            window.put("groups", groups);
            window.put("results", points);
            out.add(window);
        }
        return Map.of("windows", out);
    }
}
