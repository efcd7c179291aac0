package io.sluice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

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

    private Sluice() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(create(profile(Path.of("application.properties")), new Properties()).run(args));
    }

    /**
     * The application as {@code java -jar} runs it; tests start the same thing with {@code overrides}
     * (which win over every file) pointing it at their own services.
     */
    public static Main create(String profile, Properties overrides) {
        Main main = new Main(Sluice.class);
        main.configure().setProfile(profile);
        main.setPropertyPlaceholderLocations(propertyLocations(profile));
        main.setOverrideProperties(overrides);
        main.addMainListener(new DevStackListener());
        main.addMainListener(new OpsListener());
        return main;
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
