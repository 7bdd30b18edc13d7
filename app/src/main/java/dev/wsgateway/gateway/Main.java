package dev.wsgateway.gateway;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import dev.wsgateway.gateway.config.GatewayConfig;
import dev.wsgateway.gateway.config.GatewaySettings;
import dev.wsgateway.gateway.config.Values;
import dev.wsgateway.gateway.observe.LogLineFormatter;

import io.helidon.logging.common.LogConfig;

/**
 * Starts the gateway: {@code java -jar app.jar [--check] [config.yaml]} (or env {@code GATEWAY_CONFIG}).
 * <p>
 * A fatal start error (a wrong setting, a port in use, a keystore that does not open) is one line on the standard
 * error stream and exit status 1, the stack trace only at DEBUG ({@code dev.wsgateway.level=FINE}); whatever was
 * started before it is stopped, and nothing keeps the JVM alive. {@code --check} validates the configuration, prints
 * the effective values with where each came from, and exits (0 when valid). A drained SIGTERM exits 0.
 */
public final class Main {
    /** Exit status of a fatal start error or an invalid configuration. */
    static final int FAILED = 1;

    private Main() {
    }

    public static void main(String[] args) {
        // before anything logs: the log manager that keeps logging through the gateway's own shutdown
        System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        LogConfig.configureRuntime();
        boolean check = false;
        List<String> files = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--check")) {
                check = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println("usage: java -jar wsgateway.jar [--check] [config.yaml]   (or GATEWAY_CONFIG=config.yaml)");
                return;
            } else if (arg.startsWith("-")) {
                fail("unknown option " + arg + " (usage: [--check] [config.yaml])", null, check);
            } else {
                files.add(arg);
            }
        }
        if (files.size() > 1) {
            fail("one configuration file at most, got " + files, null, check);
        }
        String userFile = files.isEmpty() ? System.getenv("GATEWAY_CONFIG") : files.getFirst();
        StartupCheck startup;
        try {
            startup = StartupCheck.run(GatewayConfig.load(userFile));
        } catch (RuntimeException | LinkageError e) {
            fail(StartupCheck.oneLine(e, null), e, check);
            return;
        }
        LogLineFormatter.useFormat(Values.choice(startup.config().config().get("gateway.log.format"),
                                                 GatewaySettings.LOG_FORMAT, "text", "json"));
        if (check) {
            PrintStream out = System.out;
            out.println("Configuration is valid. Effective values (where each comes from):");
            startup.describe().forEach(line -> out.println("  " + line));
            out.flush();
            System.exit(0);
        }
        Gateway gateway;
        try {
            gateway = Gateway.start(startup.config().config());
        } catch (RuntimeException | LinkageError e) {
            fail(StartupCheck.oneLine(e, startup.config()), e, false);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boolean drained = false;
            try {
                gateway.stop();
                drained = true;
            } finally {
                ShutdownLogManager.resetAfterShutdown();
                // a drained stop is a success (not the JVM's 143 for SIGTERM)
                Runtime.getRuntime().halt(drained ? 0 : FAILED);
            }
        }, "gateway-shutdown"));
    }

    private static void fail(String line, Throwable cause, boolean check) {
        if (cause != null) {
            // no static logger: it would start the log manager before main() names ShutdownLogManager
            System.getLogger(Main.class.getName()).log(System.Logger.Level.DEBUG, "Start failed", cause);
        }
        System.err.println((check ? "Configuration is not valid: " : "Cannot start the gateway: ") + line);
        System.err.flush();
        System.exit(FAILED);
    }
}
