package dev.wsgateway.gateway;

import dev.wsgateway.gateway.config.GatewayConfig;
import dev.wsgateway.gateway.observe.LogLineFormatter;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

/**
 * Starts the gateway: {@code java -jar app.jar [config.yaml]} (or env {@code GATEWAY_CONFIG}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // before anything logs: the log manager that keeps logging through the gateway's own shutdown
        System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        LogConfig.configureRuntime();
        String userFile = args.length > 0 ? args[0] : System.getenv("GATEWAY_CONFIG");
        Config config = GatewayConfig.load(userFile);
        LogLineFormatter.useFormat(config.get("gateway.log.format").asString().orElse("text"));
        Gateway gateway = Gateway.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.stop();
            ShutdownLogManager.resetAfterShutdown();
        }, "gateway-shutdown"));
    }
}
