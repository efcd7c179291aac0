package io.sluice.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/** One way of doing the ratings flow's work, started on a prepared input and stopped when its output is complete. */
interface Contender {

    /** Where one run reads and writes; every run writes topics of its own. */
    record Run(String brokers, String input, String customersTopic, int threads, String id,
               Map<RatingRules.Output, String> outputs) {

        /** Sluice's shipped {@code sluice.ratings.batch-size}: the raw loop takes as many records per poll. */
        int batchSize() {
            return shippedInt("sluice.ratings.batch-size");
        }
    }

    /** A whole-number property as application.properties ships it (the references match Sluice's settings). */
    static int shippedInt(String key) {
        Properties shipped = new Properties();
        try (var in = Files.newBufferedReader(Path.of("application.properties"))) {
            shipped.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Integer.parseInt(shipped.getProperty(key).trim());
    }

    String name();

    AutoCloseable start(Run run) throws Exception;
}
