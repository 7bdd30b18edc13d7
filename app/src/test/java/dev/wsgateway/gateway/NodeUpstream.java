package dev.wsgateway.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.wsgateway.testsupport.JdkClient;

/**
 * The Node {@code ws} test upstream ({@code src/test/node/upstream.js}) as a separate OS process.
 */
final class NodeUpstream implements AutoCloseable {
    private static final Path SCRIPT_DIR = Path.of("src/test/node").toAbsolutePath();
    private static final Pattern PORT = Pattern.compile("\\{\"port\":(\\d+)}");

    private final Process process;
    private final int port;

    private NodeUpstream(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static NodeUpstream start() throws IOException, InterruptedException {
        return start(0);
    }

    static NodeUpstream start(int port) throws IOException, InterruptedException {
        if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/ws"))) {
            throw new IllegalStateException("Node modules missing: run 'npm ci --prefix app/src/test/node' "
                                                    + "(.ci/run does it)");
        }
        Process process = new ProcessBuilder("node", "upstream.js", String.valueOf(port))
                .directory(SCRIPT_DIR.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        String line;
        try {
            line = firstLine.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("Node upstream did not start", e);
        }
        Matcher m = PORT.matcher(line == null ? "" : line);
        if (!m.find()) {
            process.destroyForcibly();
            throw new IllegalStateException("Node upstream printed " + line);
        }
        return new NodeUpstream(process, Integer.parseInt(m.group(1)));
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /**
     * The close this service last received on a connection whose path ends with {@code pathSuffix}, as JSON
     * {@code {"code":N,"reason":"..."}}; waits up to 5 s for one to arrive.
     *
     * @return the close, or {@code "null"} if none arrived
     */
    String lastCloseSeen(String pathSuffix) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        String last = "null";
        while (System.nanoTime() < deadline && last.equals("null")) {
            try (JdkClient probe = JdkClient.connect(java.net.URI.create("ws://127.0.0.1:" + port + "/probe"))) {
                probe.sendText("lastclose:" + pathSuffix);
                last = probe.nextText();
            }
        }
        return last;
    }

    /**
     * Bytes of the messages this service received on connections whose path ends with {@code pathSuffix}.
     *
     * @return bytes, whole messages only
     */
    long bytesReceived(String pathSuffix) {
        try (JdkClient probe = JdkClient.connect(java.net.URI.create("ws://127.0.0.1:" + port + "/probe"))) {
            probe.sendText("received:" + pathSuffix);
            return Long.parseLong(probe.nextText().replaceAll("\\D", ""));
        } catch (Exception e) {
            throw new IllegalStateException("the test service did not answer its probe", e);
        }
    }

    /**
     * Kill the process the hard way (SIGKILL): its connections vanish without close frames.
     */
    void kill() throws InterruptedException {
        sigkill();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Send SIGKILL and return at once, without waiting for the process to be gone.
     */
    void sigkill() {
        process.destroyForcibly();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
