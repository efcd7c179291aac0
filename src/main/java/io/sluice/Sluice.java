package io.sluice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.ops.OpsListener;
import org.apache.camel.main.Main;

/**
 * Entry point of the standalone jar: a camel-main application whose routes live in {@code routes/*.yaml}
 * (and Java RouteBuilders under {@code io.sluice}), configured by {@code application.properties}.
 *
 * <p>Properties are read from the working directory with the jar's copy as the fallback, key by key. A Camel
 * profile ({@code camel.main.profile}, default {@code dev}) adds {@code application-<profile>.properties}, whose
 * keys win over the base file's:
 * {@code dev} runs the embedded stack, {@code prod} talks to external services named by env vars.
 */
public final class Sluice {

    static final String DEFAULT_PROFILE = "dev";
    /** How long a SIGTERM waits for routes and then the embedded services to stop, beyond Camel's own timeout. */
    private static final long STOP_GRACE_MS = 30_000;

    private final Main main;
    private final DevStackListener devStack;

    private Sluice(Main main, DevStackListener devStack) {
        this.main = main;
        this.devStack = devStack;
    }

    public static void main(String[] args) throws Exception {
        runAsProcess(create(profile(Path.of("application.properties")), new Properties()), args);
    }

    /** Runs {@code sluice} as this process's whole work: until SIGTERM (stopping in order) or a failed start. */
    public static void runAsProcess(Sluice sluice, String[] args) throws Exception {
        // Camel's SIGTERM hook only asks the main thread to stop and returns; without this hook the JVM would
        // halt while routes are still finishing and before the embedded services are shut down in order.
        Thread mainThread = Thread.currentThread();
        AtomicBoolean jvmStopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            jvmStopping.set(true);
            try {
                mainThread.join(STOP_GRACE_MS + sluice.main.configure().getShutdownTimeout() * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sluice-graceful-stop"));
        int status;
        try {
            status = sluice.run(args);
        } catch (Exception e) {
            status = 1;
            reportStartFailure(e);
        }
        if (!jvmStopping.get()) {
            System.exit(status);
        }
    }

    /** A clash or misconfiguration the user can fix gets one line; anything else the whole trace. */
    private static void reportStartFailure(Throwable e) {
        String line = explain(e);
        if (line != null) {
            System.err.println("Sluice could not start: " + line);
        } else {
            e.printStackTrace();
        }
    }

    private static final Pattern MISSING_COMPONENT = Pattern.compile(
            "(?:No component found with scheme: |No endpoint could be found for: )([A-Za-z0-9+.-]+)");

    /** The one line for a start-up failure the user can fix, or null when the stack trace is the better help. */
    static String explain(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StartupProblem) {
                return t.getMessage();
            }
            Matcher m = MISSING_COMPONENT.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return io.sluice.sinks.SinkComponents.missing(m.group(1).replaceAll(":.*$", ""));
            }
        }
        return null;
    }

    /**
     * The application as {@code java -jar} runs it; tests start the same thing with {@code overrides}
     * (which win over every file) pointing it at their own services.
     */
    public static Sluice create(String profile, Properties overrides) {
        Main main = new Main(); // no main class: it would turn on a package scan of the whole jar
        main.configure().setProfile(profile);
        main.setPropertyPlaceholderLocations(propertyLocations(profile));
        main.setOverrideProperties(overrides);
        DevStackListener devStack = new DevStackListener();
        main.addMainListener(devStack);
        main.addMainListener(new OpsListener());
        // before the dev stack and the routes: both need the dialect's statements ({{dialect:<key>}})
        main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
            @Override
            public void beforeInitialize(org.apache.camel.main.BaseMainSupport m) {
                m.getCamelContext().getPropertiesComponent()
                        .addPropertiesFunction(new io.sluice.db.DialectFunction(m.getCamelContext()));
            }

            @Override
            public void beforeConfigure(org.apache.camel.main.BaseMainSupport m) {
                // after the dev stack's listener (it may point sluice.db.url at the embedded PostgreSQL): one CDC
                // route file per kind of database, both with route id customer-cdc; the other one is not loaded
                io.sluice.db.SqlDialect dialect = io.sluice.db.SqlDialect.of(m.getCamelContext());
                String other = dialect.name().equals("postgres") ? "customer-cdc.yaml" : "customer-cdc-postgres.yaml";
                StringBuilder exclude = new StringBuilder("file:routes/" + other);
                // routes read from another folder (a test's copy, a deployment's own folder): the same file there
                // (the properties are bound to the configuration after this listener: read the property too)
                String include = m.getCamelContext().getPropertiesComponent()
                        .resolveProperty("camel.main.routes-include-pattern").orElse("")
                        + "," + java.util.Objects.requireNonNullElse(m.configure().getRoutesIncludePattern(), "");
                for (String pattern : include.split(",")) {
                    pattern = pattern.strip();
                    int slash = pattern.lastIndexOf('/');
                    if (pattern.startsWith("file:") && slash > 0 && pattern.indexOf('*', slash) > 0) {
                        exclude.append(',').append(pattern, 0, slash + 1).append(other);
                    }
                }
                String excluded = m.configure().getRoutesExcludePattern();
                m.configure().setRoutesExcludePattern((excluded == null || excluded.isBlank() ? "" : excluded + ",") + exclude);
            }
        });
        return new Sluice(main, devStack);
    }

    public Main main() {
        return main;
    }

    /** Runs until stopped; the embedded services stop last, also when Camel fails to start. */
    int run(String[] args) throws Exception {
        try {
            return main.run(args);
        } finally {
            devStack.stopStack();
        }
    }
    /**
     * Camel takes a property from the first location that has it, so the most specific comes first: the
     * profile's file beats the base file, and a file in the working directory beats the jar's copy.
     */
    static String propertyLocations(String profile) {
        return String.join(",",
                "file:application-" + profile + ".properties;optional=true",
                "classpath:application-" + profile + ".properties;optional=true",
                "file:application.properties;optional=true",
                "classpath:application.properties;optional=true");
    }

    /**
     * The profile must be known before Camel loads properties (it picks the files): a -D flag or the
     * CAMEL_MAIN_PROFILE env var wins, then camel.main.profile in the working directory's file, then the jar's.
     */
    static String profile(Path workingDirFile) {
        return Optional.ofNullable(System.getProperty("camel.main.profile"))
                .or(() -> Optional.ofNullable(System.getenv("CAMEL_MAIN_PROFILE")))
                .or(() -> readProfile(workingDirFile))
                .or(() -> readProfileFromClasspath())
                .filter(p -> !p.isBlank())
                .map(String::trim)
                .orElse(DEFAULT_PROFILE);
    }

    private static Optional<String> readProfile(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file)) {
            return profileIn(in);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> readProfileFromClasspath() {
        try (InputStream in = Sluice.class.getResourceAsStream("/application.properties")) {
            return in == null ? Optional.empty() : profileIn(in);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> profileIn(InputStream in) throws IOException {
        Properties p = new Properties();
        p.load(in);
        return Optional.ofNullable(p.getProperty("camel.main.profile"));
    }
}
