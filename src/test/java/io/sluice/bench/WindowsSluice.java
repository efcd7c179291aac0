package io.sluice.bench;

import java.util.List;

import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;

/**
 * Sluice: the {@code window} route template of routes/windows.yaml as one more instance, added by properties only,
 * exactly like {@code sales-summary} in application.properties (group by item, overall {@code *}, sum of amount,
 * size 5, lateness 0) but on the run's topics, with a short idle timeout so the last window closes soon after the
 * input is read. Only the template's own properties are set (and whatever engine is in the tree runs them);
 * {@code sluice.windows.*} stay as shipped. In this JVM, the other flows off ({@link BenchSluice}).
 */
final class WindowsSluice implements WindowsContender {

    /** The instance this part adds; its {@code name} (state and consumer group) is the run's id. */
    static final String INSTANCE = "bench-windows";
    /** How long the input stays quiet before the last window closes: waited for, but not timed. */
    static final long IDLE_TIMEOUT_MS = 2000;

    private final DevStack stack;

    WindowsSluice(DevStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "Sluice";
    }

    @Override
    public long closeLag(Run run) {
        return run.lateness();
    }

    @Override
    public Running start(Run run) throws Exception {
        String t = "camel.routeTemplate[" + INSTANCE + "].";
        RunningSluice sluice = BenchSluice.only(stack, run.id(), List.of("windows.yaml"))
                .with(t + "templateId", "window")
                .with(t + "name", run.id())
                .with(t + "topic", run.input())
                .with(t + "outputTopic", run.output())
                .with(t + "timeField", "time")
                .with(t + "size", Long.toString(run.size()))
                .with(t + "lateness", Long.toString(run.lateness()))
                .with(t + "groupBy", "item")
                .with(t + "overall", SalesWorkload.OVERALL)
                .with(t + "aggregate", "sum:amount")
                .with(t + "idleTimeoutMs", Long.toString(IDLE_TIMEOUT_MS))
                .start();
        return new Running() {
            @Override
            public void closeLastWindows() {
                // its idle timeout does it
            }

            @Override
            public long late() {
                return WindowResults.count(run.brokers(), run.output() + "-late");
            }

            @Override
            public void close() throws Exception {
                sluice.close();
            }
        };
    }
}
