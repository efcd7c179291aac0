package io.sluice.ops;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP API outside the demo: TLS from a keystore the test makes, the prod profile failing closed without
 * credentials, and working with credentials from the environment — its whole log then free of every secret.
 * The prod starts are the jar's own entry point ({@code io.sluice.Sluice}) in a JVM of their own, so the
 * environment is real and the log is everything that process wrote.
 */
@ExtendWith(SluiceStack.class)
class HttpApiSecurityTest {

    private static final Duration START = Duration.ofSeconds(90);

    @Test
    void theApiAnswersOverHttpsWithTheConfiguredCertificateAndPlainHttpIsOffAndManagementCanBeProtected(DevStack stack, @TempDir Path dir) throws Exception {
        String password = "ks-" + UUID.randomUUID();
        Path keystore = certificate(dir, password);
        Path ops = dir.resolve("ops-users.properties");
        Files.writeString(ops, "user.prometheus = scrape-" + password + ",viewer\n");
        RunningSluice sluice = RunningSluice.on(stack, "tls")
                .with("sluice.http.tls.enabled", "true")
                .with("sluice.http.tls.keystore", "file:" + keystore)
                .with("sluice.http.tls.keystore-password", password)
                // and the management port protected by properties alone, with a users file of its own
                .with("camel.management.authenticationEnabled", "true")
                .with("camel.management.basicPropertiesFile", ops.toString())
                .start();
        try {
            int port = Integer.parseInt(sluice.property("sluice.http.port"));
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(keystore, password)).build();
            HttpResponse<String> r = https.send(get("https://localhost:" + port + "/api/loans/1/NOSUCHLOAN", basic("viewer", "viewer")),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("unknown loan");
            SSLSession session = r.sslSession().orElseThrow();
            assertThat(((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName())
                    .isEqualTo("CN=sluice-test-" + keystore.getFileName().toString().hashCode());
            assertThat(https.send(get("https://localhost:" + port + "/api/loans/1/NOSUCHLOAN", null),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);

            // the banner names the HTTPS address, and the dev profile's users as what they are
            assertThat(StartupBanner.text(sluice.context()))
                    .contains("https://localhost:" + port + "/api/openapi.json")
                    .contains("DEMO ONLY: viewer/viewer, submitter/submitter, approver/approver");

            // management: health answers only with the ops users' credentials (plain HTTP: TLS is the API's alone)
            String health = "http://localhost:" + sluice.property("camel.management.port") + "/observe/health";
            HttpClient plainClient = HttpClient.newHttpClient();
            assertThat(plainClient.send(get(health, null), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(plainClient.send(get(health, basic("viewer", "viewer")), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpResponse<String> up = plainClient.send(get(health, basic("prometheus", "scrape-" + password)), HttpResponse.BodyHandlers.ofString());
            assertThat(up.body()).contains("\"checks\"");

            // the same port does not speak plain HTTP
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> plain.send(get("http://localhost:" + port + "/api/loans/1/NOSUCHLOAN", basic("viewer", "viewer")),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        } finally {
            sluice.stop();
        }
    }

    @Test
    void aProdStartWithoutCredentialsRefusesToOpenTheApiInOneLine(DevStack stack, @TempDir Path dir) throws Exception {
        RunningSluice config = RunningSluice.on(stack, "prod-closed");
        Path log = dir.resolve("sluice.log");
        Process p = prod(config, Map.of(), log).start();
        assertThat(p.waitFor(START.toSeconds(), TimeUnit.SECONDS)).as("Sluice exits").isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).contains("Sluice could not start: the HTTP API has no credentials: set sluice.http.users-file"
                + " (env SLUICE_HTTP_USERS_FILE) to a users file with lines 'user.<name> = <password>,<role>'"
                + " (roles viewer, submitter, approver); the dev profile ships demo users");
        assertThat(String.join("\n", lines)).doesNotContain("Vert.x HttpServer started").doesNotContain("Exception");
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(get("http://localhost:" + config.property("sluice.http.port")
                + "/api/loans/1/X", null), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    /**
     * Credentials from the environment (the users file named by SLUICE_HTTP_USERS_FILE, the keystore password in
     * SLUICE_HTTP_TLS_KEYSTORE_PASSWORD): the API works over HTTPS, refuses a wrong password, and afterwards the
     * process's whole log contains no password, no Authorization header value and not the keystore password.
     */
    @Test
    void aProdStartWithCredentialsFromTheEnvironmentWorksAndLogsNoSecret(DevStack stack, @TempDir Path dir) throws Exception {
        String approverPassword = "pw-" + UUID.randomUUID();
        String viewerPassword = "pw-" + UUID.randomUUID();
        String keystorePassword = "ks-" + UUID.randomUUID();
        Path users = dir.resolve("users.properties");
        Files.writeString(users, "user.ana = " + approverPassword + ",approver\nuser.vic = " + viewerPassword + ",viewer\n");
        Path keystore = certificate(dir, keystorePassword);
        RunningSluice config = RunningSluice.on(stack, "prod-env")
                .with("sluice.http.tls.enabled", "true")
                .with("sluice.http.tls.keystore", "file:" + keystore);
        Path log = dir.resolve("sluice.log");
        Process p = prod(config, Map.of("SLUICE_HTTP_USERS_FILE", users.toString(),
                "SLUICE_HTTP_TLS_KEYSTORE_PASSWORD", keystorePassword), log).start();
        List<String> secrets = List.of(approverPassword, viewerPassword, keystorePassword,
                basic("ana", approverPassword), basic("vic", viewerPassword), basic("ana", viewerPassword),
                Base64.getEncoder().encodeToString(("ana:" + approverPassword).getBytes(StandardCharsets.UTF_8)));
        try {
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(keystore, keystorePassword)).build();
            String base = "https://localhost:" + config.property("sluice.http.port");
            // the server listens before the routes are added (Vert.x answers 404 until then): wait for the route's own 404
            await().atMost(START).ignoreExceptions().until(() -> https.send(get(base + "/api/loans/1/NOSUCHLOAN", basic("vic", viewerPassword)),
                    HttpResponse.BodyHandlers.ofString()).body().contains("unknown loan"));
            assertThat(https.send(get(base + "/api/loans/1/NOSUCHLOAN", basic("ana", approverPassword)),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            assertThat(https.send(get(base + "/api/loans/1/NOSUCHLOAN", basic("ana", viewerPassword)),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpResponse<String> approval = https.send(HttpRequest.newBuilder(URI.create(base + "/api/loans/1/NOSUCHLOAN/approval"))
                    .header("Authorization", basic("vic", viewerPassword)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(approval.statusCode()).as(approval.body()).isEqualTo(403);
            // the demo users do not exist outside the dev profile
            assertThat(https.send(get(base + "/api/loans/1/NOSUCHLOAN", basic("viewer", "viewer")),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        } finally {
            p.destroy(); // SIGTERM: the orderly stop writes its lines too
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            // kept for reading after the run
            Files.createDirectories(Path.of("target", "flow-tests"));
            Files.copy(log, Path.of("target", "flow-tests", "prod-env-sluice.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String written = Files.readString(log);
        assertThat(written).contains("Vert.x HttpServer started");
        for (String secret : secrets) {
            assertThat(written).as("the log holds a secret").doesNotContain(secret);
        }
    }

    /** Sluice as {@code java -jar} starts it (its main class, the repository's files), profile prod, given {@code env}. */
    private static ProcessBuilder prod(RunningSluice config, Map<String, String> env, Path log) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
        config.properties().forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-Dsluice.cdc.enabled=false"); // the API is what is tested; CDC would share the prod profile's topics
        command.add("io.sluice.Sluice");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_") || k.startsWith("CAMEL_"));
        pb.environment().put("CAMEL_MAIN_PROFILE", "prod");
        pb.environment().putAll(env);
        return pb;
    }

    /** A PKCS12 keystore with a new key pair and a self-signed certificate for localhost, made by the JDK's keytool. */
    static Path certificate(Path dir, String password) throws Exception {
        Path keystore = dir.resolve("api-" + UUID.randomUUID() + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "sluice-api", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=sluice-test-" + keystore.getFileName().toString().hashCode(),
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(out).isZero();
        return keystore;
    }

    /** Trusts exactly the certificate in {@code keystore}: a handshake succeeds only with that server. */
    static SSLContext trusting(Path keystore, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("api", ks.getCertificate("sluice-api"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    private static HttpRequest get(String uri, String auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).GET();
        return (auth == null ? b : b.header("Authorization", auth)).build();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
