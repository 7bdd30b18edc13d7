package dev.wsgateway.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The packaged gateway started by a user with a wrong file: one line naming the problem, exit status 1, and the
 * process gone (nothing started before the failure keeps the JVM alive); {@code --check} of a good file prints the
 * effective configuration and exits 0.
 */
class StartupFailureIT {
    @TempDir
    Path dir;

    @Test
    void aTypoIsOneLineNamingTheKeyItsFileAndTheClosestKnownKey() throws Exception {
        Path file = Files.writeString(dir.resolve("typo.yaml"), "gateway:\n  relay:\n    ping-intervall: PT5S\n");
        String out = failedStart(List.of(file.toString()), "startup-typo.log");
        assertThat(out, containsString("Cannot start the gateway: Unknown configuration key "
                + "gateway.relay.ping-intervall in " + file + ": did you mean `gateway.relay.ping-interval`?"));
    }

    @Test
    void aBadPortAfterTheDemoWasAskedForEndsTheProcess() throws Exception {
        // the demo echo service used to start first and keep the JVM alive after the failure
        Path file = Files.writeString(dir.resolve("port.yaml"), """
                server:
                  port: abc
                demo:
                  echo:
                    enabled: true
                    port: 0
                """);
        String out = failedStart(List.of(file.toString()), "startup-port.log");
        assertThat(out, containsString("Cannot start the gateway: server.port = 'abc': expected a whole number of port "
                + "from 0 to 65535 (set in " + file + ")"));
    }

    @Test
    void aPortInUseIsOneLineAndAFailure() throws Exception {
        // Helidon logs a listener that cannot bind and carries on: the gateway exited 0 "listening on port -1"
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Path file = Files.writeString(dir.resolve("inuse.yaml"), "server:\n  port: " + port
                    + "\n  host: 127.0.0.1\n");
            String out = failedStart(List.of(file.toString()), "startup-inuse.log");
            assertThat(out, containsString("Cannot start the gateway: server.port = '" + port + "': cannot listen on "
                    + "127.0.0.1:" + port + ": Address already in use"));
        }
    }

    @Test
    void aWrongKeystorePathIsOneLine() throws Exception {
        Path file = Files.writeString(dir.resolve("tls.yaml"), """
                server:
                  port: 0
                  tls:
                    private-key:
                      keystore:
                        resource:
                          path: /nowhere/gateway.p12
                        passphrase: changeit
                """);
        String out = failedStart(List.of(file.toString()), "startup-tls.log");
        assertThat(out, containsString("/nowhere/gateway.p12"));
    }

    @Test
    void checkPrintsTheEffectiveConfigurationWithOriginsAndExits() throws Exception {
        Path file = Files.writeString(dir.resolve("good.yaml"), """
                server:
                  port: 0
                gateway:
                  relay:
                    ping-interval: PT3S
                  upstream:
                    tls:
                      trust-store-password: hunter2
                """);
        PackagedGateway gateway = PackagedGateway.start(Map.of("GATEWAY_RELAY_PONG_DASH_TIMEOUT", "PT4S"),
                                                        List.of("--check", file.toString()), "startup-check.log");
        assertThat("--check exits by itself", gateway.process().waitFor(30, TimeUnit.SECONDS), is(true));
        String out = Files.readString(gateway.log());
        assertThat(out, gateway.process().exitValue(), is(0));
        assertThat(out, containsString("Configuration is valid."));
        assertThat(out, containsString("gateway.relay.ping-interval = PT3S    (" + file + ")"));
        assertThat(out, containsString("gateway.relay.pong-timeout = PT4S    (environment variable "
                + "GATEWAY_RELAY_PONG_DASH_TIMEOUT)"));
        assertThat(out, containsString("server.host = 0.0.0.0    (bundled application.yaml)"));
        assertThat(out, containsString("gateway.relay.close-timeout = PT5S    (built-in default)"));
        assertThat(out, containsString("gateway.relay.max-message-size = 1048576    (built-in default)"));
        assertThat(out, containsString("discovery.eureka.fetch-interval = PT5S    (built-in default)"));
        assertThat(out, not(containsString("(built-in default, see")));
        assertThat(out, containsString("gateway.upstream.tls.trust-store-password = ****"));
        assertThat(out, not(containsString("hunter2")));
        assertThat("nothing listens with --check", out, not(containsString("gateway listening")));
    }

    /**
     * Start the jar, wait for it to end by itself, and return its output after checking the exit status and that
     * the error is a single line without a stack trace.
     */
    private static String failedStart(List<String> args, String logName) throws Exception {
        PackagedGateway gateway = PackagedGateway.start(Map.of(), args, logName);
        boolean ended = gateway.process().waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            gateway.process().destroyForcibly();
        }
        String out = Files.readString(gateway.log());
        assertThat("the process ended by itself: " + out, ended, is(true));
        assertThat(out, gateway.process().exitValue(), is(1));
        assertThat(out, out.lines().filter(l -> l.startsWith("Cannot start the gateway: ")).count(), is(1L));
        assertThat("no stack trace at the default level: " + out, out, not(containsString("\tat ")));
        return out;
    }
}
