package io.sluice.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import io.sluice.devstack.DevStack;
import io.sluice.devstack.DevStackConfig;
import io.sluice.harness.SluiceStack;

/**
 * The benchmark runner (issue 8): {@code mvn -B verify -Pbench [-Dbench.parts=throughput,...]}. Starts the
 * embedded stack on free ports under target/bench-stack, runs the parts asked for and writes what it prints to
 * target/bench/results.md. Goals are not asserted: these are figures, measured side by side in one run.
 */
public final class Benchmarks {

    public static void main(String[] args) throws Exception {
        List<String> parts = Arrays.asList((args.length == 0 ? "throughput,latency,customers,search,ingest,windows,windows-memory" : args[0]).split(","));
        Report report = new Report(Path.of("target", "bench", "results.md"));
        Runtime rt = Runtime.getRuntime();
        report.line("# Sluice benchmarks — %s, %d cores, JVM %s, max heap %d MB", java.time.LocalDate.now(),
                rt.availableProcessors(), System.getProperty("java.version"), rt.maxMemory() >> 20);
        Path data = Path.of("target", "bench-stack");
        SluiceStack.deleteTree(data);
        try (DevStack stack = DevStack.start(DevStackConfig.onFreePorts(data))) {
            if (parts.contains("throughput")) {
                report.line("\n## Ratings flow throughput");
                new ThroughputBench(stack, report).run();
            }
            if (parts.contains("latency")) {
                report.line("\n## Latency");
                new LatencyBench(stack, report).run();
            }
            if (parts.contains("customers")) {
                report.line("\n## Customer table at scale");
                new CustomersBench(stack, report).run();
            }
            if (parts.contains("search")) {
                report.line("\n## Elasticsearch indexing");
                new SearchBench(stack, report).run();
            }
            if (parts.contains("ingest")) {
                report.line("\n## Database ingest");
                new IngestBench(stack, report).run();
            }
            if (parts.contains("windows")) {
                report.line("\n## Sales windows");
                new WindowsBench(stack, report).run();
            }
            if (parts.contains("windows-memory")) {
                report.line("\n## Open windows: memory and disk");
                new WindowsMemoryBench(stack, report).run();
            }
        }
        System.exit(0);
    }
}
