package io.sluice.bench;

import java.util.Map;

/** One way of doing the ratings flow's work, started on a prepared input and stopped when its output is complete. */
interface Contender {

    /** Where one run reads and writes; every run writes topics of its own. */
    record Run(String brokers, String input, String customersTopic, int threads, String id,
               Map<RatingRules.Output, String> outputs) {

        /** Sluice's shipped {@code sluice.ratings.batch-size}: the raw loop takes as many records per poll. */
        int batchSize() {
            java.util.Properties shipped = new java.util.Properties();
            try (var in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("application.properties"))) {
                shipped.load(in);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Integer.parseInt(shipped.getProperty("sluice.ratings.batch-size").trim());
        }
    }

    String name();

    AutoCloseable start(Run run) throws Exception;
}
