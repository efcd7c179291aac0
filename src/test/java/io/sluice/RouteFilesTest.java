package io.sluice;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Build-time check of the route files (it runs in {@code mvn verify}, so a broken route fails the build): every
 * routes/*.yaml loads with Camel's YAML DSL loader — syntax, known steps, known options — and every
 * {@code {{placeholder}}} it uses is a property of application.properties or a parameter of its own template.
 * (The Camel YAML DSL validator Maven plugin is not published for Camel 4.17.)
 */
class RouteFilesTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}?:]+)(?::([^{}]*))?}}");
    private static final Pattern TEMPLATE_PARAMETER = Pattern.compile("^\\s*- name: (\\w+)\\s*$", Pattern.MULTILINE);

    @Test
    void everyRouteFileLoadsWithCamelsYamlLoader() throws Exception {
        List<Path> files = routeFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(10);
        for (Path file : files) {
            assertThat(load(Files.readString(file), file.getFileName().toString())).as(file.toString()).isPositive();
        }
    }

    @Test
    void everyPlaceholderARouteUsesIsAProperty() throws Exception {
        Properties properties = shippedProperties();
        Set<String> missing = new TreeSet<>();
        for (Path file : routeFiles()) {
            String text = Files.readString(file);
            Set<String> parameters = new TreeSet<>();
            Matcher p = TEMPLATE_PARAMETER.matcher(text);
            while (p.find()) {
                parameters.add(p.group(1));
            }
            Matcher m = PLACEHOLDER.matcher(text);
            while (m.find()) {
                String key = m.group(1).trim();
                if (key.equals("dialect")) {
                    // a SQL statement of the database's dialect (io.sluice.db.DialectFunction): both dialects have it
                    String statement = m.group(2) == null ? "" : m.group(2).trim();
                    for (String url : new String[] {"jdbc:mariadb://h/d", "jdbc:postgresql://h/d"}) {
                        io.sluice.db.SqlDialect dialect = io.sluice.db.SqlDialect.forUrl(url);
                        if (!dialect.statements().containsKey(statement)) {
                            missing.add(file.getFileName() + ": {{dialect:" + statement + "}} (no " + dialect.name() + " statement)");
                        }
                    }
                    continue;
                }
                if (!parameters.contains(key) && !key.startsWith("env:") && properties.getProperty(key) == null) {
                    missing.add(file.getFileName() + ": {{" + key + "}}");
                }
            }
        }
        assertThat(missing).as("placeholders with no property").isEmpty();
    }

    @Test
    void aBrokenRouteFileIsCaughtWithItsPlace() {
        assertThatThrownBy(() -> load("- route:\n    from:\n      uri: \"timer:x\"\n      steps:\n        - frobnicate: {}\n", "unknown-step.yaml"))
                .hasStackTraceContaining("frobnicate");
        assertThatThrownBy(() -> load("- route: [ not closed\n", "bad-syntax.yaml"))
                .hasStackTraceContaining("line 1");
    }

    private static Properties shippedProperties() throws Exception {
        Properties properties = new Properties();
        for (String name : new String[] {"application.properties", "application-dev.properties", "application-prod.properties"}) {
            try (InputStream in = Files.newInputStream(Path.of(name))) {
                properties.load(in);
            }
        }
        return properties;
    }

    /**
     * Loads one route file into a context that is never started (no endpoint is needed; the beans a file declares
     * are made, with the shipped properties); returns its routes.
     */
    private static int load(String yaml, String name) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(shippedProperties());
            Resource resource = ResourceHelper.fromString(name, yaml);
            int before = context.getRouteDefinitions().size() + context.getRouteTemplateDefinitions().size();
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(context).findRoutesBuilders(resource)) {
                builder.addRoutesToCamelContext(context);
            }
            return context.getRouteDefinitions().size() + context.getRouteTemplateDefinitions().size() - before;
        }
    }

    private static List<Path> routeFiles() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("routes"))) {
            return new ArrayList<>(s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList());
        }
    }
}
