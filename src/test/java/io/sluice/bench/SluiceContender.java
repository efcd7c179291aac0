package io.sluice.bench;

import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;

/**
 * Sluice as shipped: the real routes/ratings-enrichment.yaml with application.properties, in this JVM, with
 * only topic names, the group and the thread count set for the run. CDC is off (the customers topic is
 * preloaded in its shape) and only the ratings flow runs ({@link BenchSluice}).
 */
final class SluiceContender implements Contender {

    private final DevStack stack;

    SluiceContender(DevStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "Sluice";
    }

    @Override
    public AutoCloseable start(Run run) throws Exception {
        RunningSluice sluice = BenchSluice.only(stack, run.id(), java.util.List.of("ratings-enrichment.yaml"))
                .with("sluice.cdc.enabled", "false")
                .with("sluice.customers.topic", run.customersTopic())
                .with("sluice.ratings.topic", run.input())
                .with("sluice.ratings.group-id", run.id())
                .with("sluice.ratings.consumers", Integer.toString(run.threads()))
                .with("sluice.ratings.enriched-topic", run.outputs().get(RatingRules.Output.ENRICHED))
                .with("sluice.ratings.test-topic", run.outputs().get(RatingRules.Output.TEST))
                .with("sluice.ratings.unmatched-topic", run.outputs().get(RatingRules.Output.UNMATCHED))
                .with("sluice.ratings.dlq-topic", run.outputs().get(RatingRules.Output.DLQ))
                .with("sluice.vip.topic", run.outputs().get(RatingRules.Output.UNHAPPY));
        return sluice.start();
    }
}
