package io.sluice.devstack.mariadb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the schema and seed files that docker-compose's MySQL also runs at first start, so both stacks
 * share one definition. The files keep to plain statements ending in ';' (no DELIMITER); a PostgreSQL function
 * body in dollar quotes ({@code $$ ... $$}) may hold ';' of its own — the statement ends at the first ';' that ends a
 * line outside them, as psql (docker-compose's PostgreSQL) reads the same file.
 */
public final class SqlScript {

    private SqlScript() {
    }

    public static void run(Connection connection, String classpathResource) throws SQLException {
        try (Statement st = connection.createStatement()) {
            for (String sql : statements(read(classpathResource))) {
                st.execute(sql);
            }
        }
    }

    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (!quoted && (trimmed.isEmpty() || trimmed.startsWith("--"))) {
                continue;
            }
            current.append(line).append('\n');
            // an odd number of $$ on a line opens or closes a dollar-quoted body
            if (((line.length() - line.replace("$$", "").length()) / 2) % 2 == 1) {
                quoted = !quoted;
            }
            if (!quoted && trimmed.endsWith(";")) {
                String sql = current.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    private static String read(String resource) {
        try (InputStream in = SqlScript.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing " + resource + " on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
