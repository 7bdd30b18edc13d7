package dev.wsgateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

/**
 * The Eureka test server ({@code eureka-test-server} module) run as a separate JVM on a free loopback port.
 * <p>
 * The jar is found through the system property {@value #JAR_PROPERTY} (set by the consuming module's surefire
 * configuration). The server's output goes to {@code target/eureka-server-PORT.log} of the working directory.
 * <pre>{@code
 * try (EurekaServerProcess eureka = EurekaServerProcess.start()) {
 *     String serviceUrl = eureka.url(); // http://127.0.0.1:PORT/eureka/
 * }
 * }</pre>
 */
public final class EurekaServerProcess implements AutoCloseable {
    /** System property naming the executable jar of the Eureka test server. */
    public static final String JAR_PROPERTY = "eureka.server.jar";

    private static final System.Logger LOGGER = System.getLogger(EurekaServerProcess.class.getName());
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path jar;
    private final int port;
    private final boolean https;
    private final List<String> extraArgs;
    private final String probeAuthorization;
    private final SSLContext probeTls;
    private final HttpClient http;
    private volatile Process process;
    private final Thread shutdownHook = new Thread(this::kill, "eureka-server-process-killer");

    private EurekaServerProcess(Path jar, int port, boolean https, SSLContext probeTls, String probeAuthorization,
                                List<String> extraArgs) {
        this.jar = jar;
        this.port = port;
        this.https = https;
        this.extraArgs = List.copyOf(extraArgs);
        this.probeAuthorization = probeAuthorization;
        this.probeTls = probeTls;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
        if (probeTls != null) {
            builder.sslContext(probeTls);
        }
        this.http = builder.build();
    }

    /**
     * Start the server on a free port and wait until it answers.
     *
     * @return the running server
     */
    public static EurekaServerProcess start() {
        return start(freePort());
    }

    /**
     * Start the server on a given port and wait until it answers.
     *
     * @param port port to listen on
     * @return the running server
     */
    public static EurekaServerProcess start(int port) {
        return start(port, false, null, null, List.of());
    }

    /**
     * Start the server with Spring Boot arguments of its own (such as {@code --server.ssl.*} for HTTPS with client
     * certificates, or {@code --test.basic-auth=user:password}) and wait until it answers.
     *
     * @param port               port to listen on
     * @param https              whether the server speaks HTTPS ({@link #url()} then starts with {@code https})
     * @param probeTls           TLS context that the readiness probe uses (needs a client certificate when the server
     *                           requires one), {@code null} for the JDK default
     * @param probeAuthorization {@code Authorization} header of the probe, {@code null} for none
     * @param extraArgs          further arguments of the server
     * @return the running server
     */
    public static EurekaServerProcess start(int port, boolean https, SSLContext probeTls, String probeAuthorization,
                                            List<String> extraArgs) {
        EurekaServerProcess server = new EurekaServerProcess(jar(), port, https, probeTls, probeAuthorization,
                                                             extraArgs);
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        server.launch();
        return server;
    }

    /**
     * A port that was free a moment ago on the loopback interface.
     *
     * @return port number
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Port the server listens on.
     *
     * @return port
     */
    public int port() {
        return port;
    }

    /**
     * Eureka service URL, {@code http://127.0.0.1:PORT/eureka/}.
     *
     * @return service URL
     */
    public String url() {
        return (https ? "https" : "http") + "://127.0.0.1:" + port + "/eureka/";
    }

    /**
     * One request to the server's REST API, JSON both ways (as tests register, change or remove instances there
     * directly), over the client the readiness probe uses.
     *
     * @param method HTTP method
     * @param path   path below the service URL, e.g. {@code apps/MYAPP}
     * @param json   request body, {@code null} for none
     * @return the answer
     * @throws IOException          when the request fails
     * @throws InterruptedException when interrupted
     */
    public HttpResponse<String> request(String method, String path, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path))
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(5));
        if (json != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Whether the process is alive.
     *
     * @return {@code true} while running
     */
    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * Stop the server (SIGTERM, then kill after 15 s) and wait for the process to end. Idempotent.
     */
    public void stop() {
        Process p = process;
        process = null;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        waitUntilPortClosed();
    }

    /**
     * Stop and start again on the same port (with an empty registry).
     */
    public void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // JVM is shutting down
        }
    }

    private void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private void launch() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java,
                                                       "-XX:TieredStopAtLevel=1",
                                                       "-XX:+UseSerialGC",
                                                       "-Xmx256m",
                                                       "-jar", jar.toString(),
                                                       "--server.port=" + port,
                                                       "--server.address=127.0.0.1"));
        command.addAll(extraArgs);
        Path log = logFile();
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long started = System.nanoTime();
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + command, e);
        }
        long deadline = started + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException("Eureka server exited while starting, see " + log.toAbsolutePath());
            }
            if (answers()) {
                LOGGER.log(System.Logger.Level.INFO, "Eureka test server up on port {0} after {1} ms",
                           port, (System.nanoTime() - started) / 1_000_000);
                return;
            }
            pause(200);
        }
        stop();
        throw new IllegalStateException("Eureka server did not answer within " + START_TIMEOUT
                                                 + ", see " + log.toAbsolutePath());
    }

    private boolean answers() {
        if (https) {
            return answersOverTls();
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url() + "apps"))
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(2))
                .GET();
        if (probeAuthorization != null) {
            builder.header("Authorization", probeAuthorization);
        }
        HttpRequest request = builder.build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Eureka", e);
        }
    }

    /**
     * The probe over a bare TLS socket, which checks no host name: a test may give the server a certificate that names
     * another host on purpose.
     */
    private boolean answersOverTls() {
        try {
            SSLContext context = probeTls == null ? SSLContext.getDefault() : probeTls;
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                    .createSocket("127.0.0.1", port)) {
                socket.setSoTimeout(2000);
                String request = "GET /eureka/apps HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                        + (probeAuthorization == null ? "" : "Authorization: " + probeAuthorization + "\r\n")
                        + "Connection: close\r\n\r\n";
                socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                byte[] head = socket.getInputStream().readNBytes(12);
                return new String(head, java.nio.charset.StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private void waitUntilPortClosed() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return;
            } catch (IOException e) {
                pause(100);
            }
        }
    }

    private Path logFile() {
        Path dir = Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("eureka-server-" + port + ".log");
    }

    private static Path jar() {
        String value = System.getProperty(JAR_PROPERTY);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + JAR_PROPERTY + " is not set; point it at "
                                                    + "eureka-test-server/target/eureka-test-server.jar");
        }
        Path path = Path.of(value);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(JAR_PROPERTY + "=" + value + " does not exist; build eureka-test-server first");
        }
        return path;
    }

    private static void pause(long millis) {
        // between two polls of a condition with a deadline
        java.util.concurrent.locks.LockSupport.parkNanos(millis * 1_000_000L);
    }
}
