package dev.wsgateway.gateway;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged gateway started as a user starts it ({@code java -jar wsgateway.jar}, libs beside it), its output in
 * {@code LOGNAME} beside the jar. Used by the failsafe ITs ({@code gateway.jar} is set by the pom).
 */
final class PackagedGateway implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final Path log;

    private PackagedGateway(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * @param env     environment variables over the process's own ({@code GATEWAY_CONFIG} is removed)
     * @param args    command line arguments (a user configuration file)
     * @param logName file beside the jar that gets the process's output
     */
    static PackagedGateway start(Map<String, String> env, List<String> args, String logName) throws IOException {
        return start(env, args, logName, 0);
    }

    /**
     * @param env      environment variables over the process's own ({@code GATEWAY_CONFIG} is removed)
     * @param args     command line arguments (a user configuration file)
     * @param logName  file beside the jar that gets the process's output
     * @param fdLimit  file descriptors the process may open ({@code ulimit -n}), 0 for the inherited limit
     */
    static PackagedGateway start(Map<String, String> env, List<String> args, String logName, int fdLimit)
            throws IOException {
        String jar = System.getProperty("gateway.jar");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        if (fdLimit > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + fdLimit + " && exec \"$0\" \"$@\""));
        }
        command.addAll(List.of(java, "-jar", jar));
        command.addAll(args);
        Path log = Path.of(jar).resolveSibling(logName);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("GATEWAY_CONFIG");
        builder.environment().putAll(env);
        return new PackagedGateway(builder.start(), log);
    }

    Process process() {
        return process;
    }

    Path log() {
        return log;
    }

    static void awaitReady(int port) {
        awaitReady(port, Duration.ofSeconds(30));
    }

    /**
     * Wait until the gateway whose observe endpoints are on {@code port} is ready, or fail.
     */
    static void awaitReady(int port, Duration timeout) {
        TestGateway.await(() -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/application/health/ready"))
                                         .timeout(Duration.ofSeconds(2)).build(),
                                 HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }, timeout, "gateway on port " + port + " ready");
    }

    static String get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                         HttpResponse.BodyHandlers.ofString()).body();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * SIGTERM, and fail if the process does not exit within 10 s.
     */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("gateway did not exit within 10 s of SIGTERM");
        }
    }
}
