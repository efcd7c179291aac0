package io.sluice.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Prints benchmark lines to stdout and appends them to target/bench/results.md. */
final class Report {

    private final Path file;

    Report(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
    }

    void line(String format, Object... args) {
        String text = args.length == 0 ? format : String.format(format, args);
        System.out.println(text);
        try {
            Files.writeString(file, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
