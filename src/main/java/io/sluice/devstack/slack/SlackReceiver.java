package io.sluice.devstack.slack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for Slack that answers the way Slack does, so alerts can be seen and tested without
 * the internet:
 * <ul>
 *   <li>{@code POST <any path>}: an incoming webhook; JSON with {@code text} or {@code blocks} → 200 {@code ok};
 *       bad JSON → 400 {@code invalid_payload}; neither field → 400 {@code no_text}.</li>
 *   <li>{@code POST /api/chat.postMessage}: the Web API with a bot token (Bearer), JSON or form → {@code {"ok":true,...}};
 *       {@code POST /api/auth.test} → ok (never faulted).</li>
 *   <li>{@code GET /messages}: the last 100 messages received, oldest first; {@code DELETE /messages} clears them.</li>
 *   <li>{@code POST /control/faults} {@code {"status":429,"retryAfter":2,"count":3}}: the next {@code count}
 *       posts are answered with that status (429 carries {@code Retry-After}); {@code DELETE} clears.</li>
 * </ul>
 */
public final class SlackReceiver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlackReceiver.class);
    static final int KEPT = 100;

    private final ObjectMapper json = new ObjectMapper();
    private final Deque<ObjectNode> messages = new ArrayDeque<>();
    private final AtomicLong received = new AtomicLong();
    private final HttpServer server;
    private Fault fault = Fault.NONE;
    private volatile java.util.function.Consumer<ObjectNode> listener = m -> { };

    /** Answers the next {@code remaining} posts with {@code status} instead of accepting them. */
    public record Fault(int status, int retryAfterSeconds, int remaining) {
        static final Fault NONE = new Fault(200, 0, 0);
    }

    private SlackReceiver(HttpServer server) {
        this.server = server;
    }

    public static SlackReceiver start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        SlackReceiver receiver = new SlackReceiver(server);
        server.createContext("/", receiver::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "slack-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return receiver;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Messages accepted since start, including those no longer kept. */
    public long receivedCount() {
        return received.get();
    }

    public synchronized List<ObjectNode> messages() {
        return List.copyOf(messages);
    }

    public synchronized void clear() {
        messages.clear();
    }

    /** Called with every accepted message (all of them, where {@link #messages()} keeps the last 100). */
    public void listen(java.util.function.Consumer<ObjectNode> listener) {
        this.listener = listener == null ? m -> { } : listener;
    }

    public synchronized void injectFault(int status, int retryAfterSeconds, int count) {
        fault = new Fault(status, retryAfterSeconds, count);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/messages")) {
                if (method.equals("GET")) {
                    send(ex, 200, "application/json", json.writeValueAsString(messages()));
                } else if (method.equals("DELETE")) {
                    clear();
                    send(ex, 200, "text/plain", "ok");
                } else {
                    send(ex, 405, "text/plain", "method_not_allowed");
                }
            } else if (path.equals("/control/faults")) {
                controlFaults(ex, method);
            } else if (method.equals("POST")) {
                post(ex, path);
            } else {
                send(ex, 404, "text/plain", "not_found");
            }
        }
    }

    private void controlFaults(HttpExchange ex, String method) throws IOException {
        if (method.equals("DELETE")) {
            injectFault(200, 0, 0);
        } else {
            JsonNode body = json.readTree(read(ex.getRequestBody()));
            injectFault(body.path("status").asInt(500), body.path("retryAfter").asInt(1), body.path("count").asInt(1));
        }
        send(ex, 200, "text/plain", "ok");
    }

    private void post(HttpExchange ex, String path) throws IOException {
        if (path.equals("/api/auth.test")) {
            // Slack's SDK asks who the token belongs to before its first call
            send(ex, 200, "application/json", "{\"ok\":true,\"team_id\":\"T0SLUICE\",\"user_id\":\"U0SLUICE\"}");
            return;
        }
        Fault f = takeFault();
        if (f != null) {
            if (f.status() == 429) {
                ex.getResponseHeaders().add("Retry-After", Integer.toString(f.retryAfterSeconds()));
                send(ex, 429, "text/plain", "rate_limited");
            } else {
                send(ex, f.status(), "text/plain", "internal_error");
            }
            return;
        }
        boolean webApi = path.equals("/api/chat.postMessage");
        JsonNode body;
        String raw = read(ex.getRequestBody());
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (webApi && type != null && type.startsWith("application/x-www-form-urlencoded")) {
            body = form(raw); // the Web API also takes form posts (Slack's Java SDK sends these)
        } else {
            try {
                body = json.readTree(raw);
            } catch (IOException e) {
                body = null;
            }
        }
        if (body == null || !body.isObject()) {
            reject(ex, webApi, "invalid_payload");
            return;
        }
        if (webApi && !ex.getRequestHeaders().getOrDefault("Authorization", List.of()).stream()
                .anyMatch(h -> h.startsWith("Bearer "))) {
            reject(ex, true, "not_authed");
            return;
        }
        if (!body.hasNonNull("text") && !body.hasNonNull("blocks")) {
            reject(ex, webApi, "no_text");
            return;
        }
        ObjectNode message = json.createObjectNode();
        message.put("received_at", Instant.now().toString());
        message.put("path", path);
        message.put("channel", body.path("channel").asText(""));
        message.put("text", body.path("text").asText(""));
        message.set("body", body);
        keep(message);
        listener.accept(message);
        LOG.info("Slack message on {}: {}", path, message.get("text").asText());
        if (webApi) {
            send(ex, 200, "application/json", json.writeValueAsString(Map.of(
                    "ok", true, "channel", message.get("channel").asText(), "ts", Long.toString(received.get()))));
        } else {
            send(ex, 200, "text/plain", "ok");
        }
    }

    private void reject(HttpExchange ex, boolean webApi, String error) throws IOException {
        if (webApi) {
            // the Web API says 200 with ok=false; incoming webhooks say 400 with the error as text
            send(ex, 200, "application/json", json.writeValueAsString(Map.of("ok", false, "error", error)));
        } else {
            send(ex, 400, "text/plain", error);
        }
    }

    private synchronized Fault takeFault() {
        if (fault.remaining() <= 0) {
            return null;
        }
        Fault current = fault;
        fault = new Fault(current.status(), current.retryAfterSeconds(), current.remaining() - 1);
        return current;
    }

    private synchronized void keep(ObjectNode message) {
        received.incrementAndGet();
        messages.addLast(message);
        while (messages.size() > KEPT) {
            messages.removeFirst();
        }
    }

    private ObjectNode form(String raw) {
        ObjectNode fields = json.createObjectNode();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
