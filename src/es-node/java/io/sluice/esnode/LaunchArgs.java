package io.sluice.esnode;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The command line the parent process passes:
 * {@code --http-port=N --home=DIR --data=DIR --cluster-name=NAME [--parent-pid=PID]}.
 * Strict on purpose: a typo should fail loudly (exit 2) rather than start a node on surprising paths.
 */
record LaunchArgs(int httpPort, Path home, Path data, String clusterName, OptionalLong parentPid) {

    static final String USAGE =
        "usage: EsNodeMain --http-port=N --home=DIR --data=DIR --cluster-name=NAME [--parent-pid=PID]";

    static LaunchArgs parse(String[] argv) {
        Map<String, String> values = new HashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") == false || eq < 0) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String key = arg.substring(2, eq);
            switch (key) {
                case "http-port", "home", "data", "cluster-name", "parent-pid" -> values.put(key, arg.substring(eq + 1));
                default -> throw new IllegalArgumentException("unknown option '--" + key + "'");
            }
        }
        int port = parseNumber(required(values, "http-port"), "http-port");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--http-port must be 1..65535, got " + port);
        }
        String parent = values.get("parent-pid");
        return new LaunchArgs(
            port,
            Path.of(required(values, "home")).toAbsolutePath().normalize(),
            Path.of(required(values, "data")).toAbsolutePath().normalize(),
            required(values, "cluster-name"),
            parent == null || parent.isBlank() ? OptionalLong.empty() : OptionalLong.of(parseNumber(parent, "parent-pid"))
        );
    }

    private static String required(Map<String, String> values, String key) {
        String value = values.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing --" + key + "=...");
        }
        return value;
    }

    private static int parseNumber(String value, String key) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a number, got '" + value + "'");
        }
    }
}
