package io.sluice.bench;

import java.util.Map;

/** One way of doing the ratings flow's work, started on a prepared input and stopped when its output is complete. */
interface Contender {

    /** Where one run reads and writes; every run writes topics of its own. */
    record Run(String brokers, String input, String customersTopic, int threads, String id,
               Map<RatingRules.Output, String> outputs) {
    }

    String name();

    AutoCloseable start(Run run) throws Exception;
}
