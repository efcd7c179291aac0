package io.sluice.sinks;

import java.util.Map;

import io.sluice.StartupProblem;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.RouteTemplateParameterSource;

/**
 * A sink's endpoint is resolved per record ({@code toD}), so a component missing from the jar would only show
 * when the first record arrives. Checked at start-up instead, from the sinks' properties, with the artifact to
 * add.
 */
public final class SinkComponents {

    private SinkComponents() {
    }

    public static void check(CamelContext context) {
        for (RouteTemplateParameterSource source : context.getRegistry().findByType(RouteTemplateParameterSource.class)) {
            for (String routeId : source.routeIds()) {
                Map<String, Object> params = source.parameters(routeId);
                Object uri = params.get("uri");
                if (uri == null || !params.containsKey("topic")) {
                    continue; // not a topic sink
                }
                String resolved = context.resolvePropertyPlaceholders(uri.toString());
                int colon = resolved.indexOf(':');
                String scheme = colon > 0 ? resolved.substring(0, colon) : resolved;
                if (!scheme.isEmpty() && context.getComponent(scheme, true) == null) {
                    throw new StartupProblem(missing(scheme) + " (sink " + routeId + ")");
                }
            }
        }
    }

    public static String missing(String scheme) {
        return "no Camel component in this jar handles '" + scheme + ":' endpoints; add the dependency "
                + "org.apache.camel:camel-" + scheme + " to pom.xml and rebuild";
    }
}
