package io.sluice.ops;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;

/** The API's errors are JSON {@code {"error": "..."}}, also those Vert.x answers before a route runs (401). */
public final class ApiErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiErrors() {
    }

    static void respond(Exchange exchange, int status, String error) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json(error));
    }

    /** {@code {"error": error}}; also for the console's routes' error answers. */
    public static String json(String error) {
        try {
            return JSON.writeValueAsString(Map.of("error", error));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Vert.x failure handler for the API's paths: Camel's Basic authentication fails a request without valid
     * credentials with 401 and Vert.x would answer it as text; this answers JSON, keeping the
     * {@code WWW-Authenticate} challenge the handler set. Other failures go on to Vert.x's own handling.
     */
    static Handler<RoutingContext> unauthorizedAsJson() {
        return (RoutingContext ctx) -> {
            if (ctx.statusCode() == 401 && !ctx.response().headWritten()) {
                ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                        .end(json("authentication required: valid credentials (HTTP Basic) for this API"));
            } else {
                ctx.next();
            }
        };
    }
}
