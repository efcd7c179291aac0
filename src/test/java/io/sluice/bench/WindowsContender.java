package io.sluice.bench;

/** One way of computing the sales windows, started on a preloaded input topic and stopped when its output is complete. */
interface WindowsContender {

    /**
     * Where one run reads and writes (topics of its own) and what it computes.
     *
     * @param lateness event time past a window's end before Sluice closes it
     */
    record Run(String brokers, String input, int partitions, String output, String id, long size, long lateness,
               SalesWorkload workload) {
    }

    /** A started contender. */
    interface Running extends AutoCloseable {

        /**
         * Sees to it that the last windows close once the input is consumed (Sluice: its idle timeout; Kafka Streams
         * has none, so an end marker). Not timed.
         */
        void closeLastWindows() throws Exception;

        /** Sales the contender set aside as late (a count it keeps), or -1 if it keeps none. */
        long late();
    }

    String name();

    /** Event time past a window's end before this contender closes it (grace, allowed lateness). */
    long closeLag(Run run);

    Running start(Run run) throws Exception;
}
