package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.wsgateway.gateway.demo.EchoService;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * Limits under pressure, on the packaged gateway (a real process): at {@code max-sessions}, and at the process's
 * file-descriptor limit ({@code ulimit -n 384}), new clients get 503 {@code too_many_sessions} with
 * {@code Retry-After} (or wait in the listen backlog once the accepted connections are at their budget), the open
 * sessions keep echoing, and new sessions open again when load drops. The echo service runs in the test's JVM so that
 * its sockets do not count against the gateway's limit.
 */
class LimitsIT {
    private static final int FD_LIMIT = 384;
    private static final Pattern SESSIONS = Pattern.compile("allows (\\d+) sessions");
    private static final Pattern CONNECTIONS = Pattern.compile("accepts at most (\\d+) connections");
    private static final System.Logger LOGGER = System.getLogger(LimitsIT.class.getName());

    private static EchoService echo;

    @BeforeAll
    static void start() {
        echo = EchoService.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        echo.stop();
    }

    @Test
    void atMaxSessionsNewClientsGet503AndOpenSessionsKeepWorking(@TempDir Path dir) throws Exception {
        int port = PackagedGateway.freePort();
        try (PackagedGateway gateway = start(dir, port, "max-sessions: 20", "limits-it-sessions.log", 0)) {
            PackagedGateway.awaitReady(port);
            List<RawWsClient> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    sessions.add(open(port, "s" + i));
                }
                assertRefusedConcurrently(port, 50);
                for (RawWsClient session : sessions) {
                    assertEchoes(session, "still here");
                }
                // load drops: five places free up, five new sessions open, the next one is refused again
                for (int i = 0; i < 5; i++) {
                    sessions.removeFirst().close();
                }
                for (int i = 0; i < 5; i++) {
                    sessions.add(openWhenFree(port, "again" + i));
                }
                assertRefusedConcurrently(port, 1);
                for (RawWsClient session : sessions) {
                    assertEchoes(session, "after");
                }
            } finally {
                closeAll(sessions);
            }
            assertCleanLog(gateway.log());
        }
    }

    @Test
    void atTheFileDescriptorLimitNewClientsAreRefusedOrWaitAndTheGatewayRecovers(@TempDir Path dir)
            throws Exception {
        int port = PackagedGateway.freePort();
        try (PackagedGateway gateway = start(dir, port, "handshake-timeout: PT3S", "limits-it-fd.log", FD_LIMIT)) {
            PackagedGateway.awaitReady(port);
            String startLog = Files.readString(gateway.log());
            int maxSessions = logged(SESSIONS, startLog);
            int maxConnections = logged(CONNECTIONS, startLog);
            long pid = gateway.process().pid();
            List<RawWsClient> sessions = new ArrayList<>();
            List<Socket> idle = new ArrayList<>();
            try {
                // sessions until the first refusal: it comes at the lowered max-sessions, as a 503
                RawWsClient refused = null;
                for (int i = 0; i < 1_000 && refused == null; i++) {
                    RawWsClient client = RawWsClient.connect(port, "/ws/v1/echo/fd" + i);
                    if (client.status() == 101) {
                        sessions.add(client);
                    } else {
                        refused = client;
                    }
                }
                assertThat("no refusal", refused != null, is(true));
                assertThat(refused.status(), is(503));
                assertThat(refused.headers().get("retry-after"), is("5"));
                assertThat(refused.body(), containsString("too_many_sessions"));
                refused.close();
                assertThat(sessions.size(), is(maxSessions));
                // then idle connections up to what the listener accepts at once (its sessions count), and five more
                // that wait in the backlog
                int queued = 5;
                for (int i = 0; i < maxConnections - sessions.size() + queued; i++) {
                    idle.add(new Socket("127.0.0.1", port));
                }
                TestGateway.await(() -> clientConnections(pid, port) == maxConnections, Duration.ofSeconds(10),
                                  "the gateway accepted " + maxConnections + " connections (it holds "
                                          + clientConnections(pid, port) + ")");
                long descriptors = openDescriptors(pid);
                LOGGER.log(System.Logger.Level.INFO, "ulimit -n " + FD_LIMIT + ": " + sessions.size() + " sessions, "
                        + idle.size() + " idle connections, the gateway holds " + descriptors
                        + " descriptors (budget: " + maxSessions + " sessions, " + maxConnections
                        + " connections at once)");
                assertThat(descriptors, lessThan((long) FD_LIMIT));
                for (RawWsClient session : sessions) {
                    assertEchoes(session, "at the limit");
                }
                // a new client waits behind them until the idle connections time out (3 s), then gets its 503
                long start = System.nanoTime();
                try (RawWsClient waiting = RawWsClient.connect(port, "/ws/v1/echo/waiting")) {
                    assertThat(waiting.status(), is(503));
                }
                LOGGER.log(System.Logger.Level.INFO, "a client beyond the accepted connections was answered after "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
                // load drops: half the sessions end, the gateway opens new ones
                closeAll(idle);
                int half = sessions.size() / 2;
                for (int i = 0; i < half; i++) {
                    sessions.removeFirst().close();
                }
                for (int i = 0; i < half; i++) {
                    sessions.add(openWhenFree(port, "recovered" + i));
                }
                for (RawWsClient session : sessions) {
                    assertEchoes(session, "recovered");
                }
            } finally {
                closeAll(sessions);
                closeAll(idle);
            }
            assertCleanLog(gateway.log());
        }
    }

    private static PackagedGateway start(Path dir, int port, String limit, String logName, int fdLimit)
            throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                server:
                  port: %d
                  host: 127.0.0.1
                demo:
                  echo:
                    enabled: false
                gateway:
                  security:
                    limits:
                      %s
                      handshake-rate: 0
                      max-sessions-per-client: 0
                """.formatted(port, limit) + TestGateway.services().add("echo", echo.port(), "/echo").yaml());
        return PackagedGateway.start(Map.of(), List.of(file.toString()), logName, fdLimit);
    }

    private static RawWsClient open(int port, String name) throws Exception {
        RawWsClient client = RawWsClient.connect(port, "/ws/v1/echo/" + name);
        assertThat(client.status(), is(101));
        assertEchoes(client, "hello " + name);
        return client;
    }

    /**
     * Open a session once a place is free (a closed session gives its place back when its close completes).
     */
    private static RawWsClient openWhenFree(int port, String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            RawWsClient client = RawWsClient.connect(port, "/ws/v1/echo/" + name);
            if (client.status() == 101) {
                assertEchoes(client, "hello " + name);
                return client;
            }
            client.close();
            assertThat("no place after 10 s (last status " + client.status() + ")", System.nanoTime(),
                       lessThan(deadline));
            Thread.sleep(100);
        }
    }

    private static void assertRefusedConcurrently(int port, int clients) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int n = i;
                answers.add(threads.submit(() -> {
                    try (RawWsClient client = RawWsClient.connect(port, "/ws/v1/echo/over" + n)) {
                        return client.status() + " " + client.headers().get("retry-after") + " " + client.body();
                    }
                }));
            }
            for (Future<String> answer : answers) {
                String text = answer.get(20, TimeUnit.SECONDS);
                assertThat(text, containsString("503 5 "));
                assertThat(text, containsString("too_many_sessions"));
            }
        }
    }

    private static void assertEchoes(RawWsClient client, String text) throws IOException {
        client.sendText(text);
        RawWsClient.Frame frame = client.read();
        assertThat(frame.text(), is(text));
    }

    private static int logged(Pattern pattern, String log) {
        Matcher m = pattern.matcher(log);
        assertThat("log line " + pattern, m.find(), is(true));
        int value = Integer.parseInt(m.group(1));
        assertThat(value, greaterThan(10));
        return value;
    }

    private static long openDescriptors(long pid) throws IOException {
        try (var files = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return files.count();
        }
    }

    /**
     * Established client connections the gateway process holds on its port (its sockets in {@code /proc/PID/fd},
     * matched by inode with the kernel's TCP table): what its listener accepted and did not close.
     */
    private static long clientConnections(long pid, int port) {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            Set<String> inodes = fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return "";     // closed meanwhile
                }
            }).filter(link -> link.startsWith("socket:[")).map(link -> link.substring(8, link.length() - 1))
                    .collect(Collectors.toSet());
            String local = String.format(":%04X ", port);
            long count = 0;
            for (String table : List.of("tcp", "tcp6")) {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/net/" + table))) {
                    String[] f = line.trim().split("\\s+");
                    // local address, remote address, state (01: established), ..., inode (field 9)
                    if (f.length > 9 && (f[1] + " ").endsWith(local) && f[3].equals("01") && inodes.contains(f[9])) {
                        count++;
                    }
                }
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeAll(List<? extends AutoCloseable> resources) throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        resources.clear();
    }

    /**
     * No descriptor exhaustion, no listener stop, no server error in the gateway's log.
     */
    private static void assertCleanLog(Path log) throws IOException {
        String text = Files.readString(log);
        assertThat(text, not(containsString("Too many open files")));
        assertThat(text, not(containsString("terminating")));
        assertThat(text, not(containsString("Internal server error")));
        assertThat(text, not(containsString("SEVERE")));
    }
}
