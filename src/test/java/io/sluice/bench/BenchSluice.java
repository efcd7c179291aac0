package io.sluice.bench;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;

/**
 * Sluice for one benchmark part: the shipped route files and properties, but only the flows the part measures.
 * The template files stay loaded (application.properties instantiates their templates); the instances the part
 * does not measure read a topic nobody writes, so no other flow competes for the CPU.
 */
final class BenchSluice {

    static final List<String> TEMPLATE_FILES = List.of("windows.yaml", "search-index.yaml", "topic-sinks.yaml");
    static final List<String> WINDOW_INSTANCES = List.of("sales-summary", "ratings-by-club-status", "ratings-per-customer-15m");
    static final List<String> TEMPLATE_INSTANCES = List.of(
            "sales-summary", "ratings-by-club-status", "ratings-per-customer-15m", "search-ratings", "search-vip", "lake-ratings");

    private BenchSluice() {
    }

    /**
     * @param routeFiles the routes/ files of the flows measured
     * @param liveInstances template instances that are part of the measurement
     */
    static RunningSluice only(DevStack stack, String id, List<String> routeFiles, String... liveInstances) {
        String include = Stream.concat(routeFiles.stream(), TEMPLATE_FILES.stream()).distinct()
                .map(f -> "file:routes/" + f).collect(Collectors.joining(","));
        RunningSluice sluice = RunningSluice.on(stack, id).with("camel.main.routes-include-pattern", include);
        for (String instance : TEMPLATE_INSTANCES) {
            if (!Arrays.asList(liveInstances).contains(instance)) {
                sluice.with("camel.routeTemplate[" + instance + "].topic", id + "-idle");
                if (WINDOW_INSTANCES.contains(instance)) {
                    // a window is a Kafka Streams application of its own: not even an idle one runs beside the measure
                    sluice.with("camel.routeTemplate[" + instance + "].autoStartup", "false");
                }
            }
        }
        return sluice;
    }
}
