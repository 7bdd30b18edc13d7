package dev.wsgateway.gateway.config;

import java.nio.file.Files;
import java.nio.file.Path;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Loads configuration in three layers, highest priority first: environment variables (Helidon's mapping, e.g.
 * {@code SERVER_PORT}, {@code DISCOVERY_TYPE}) and system properties, then a user file (first program argument or
 * env {@code GATEWAY_CONFIG}), then the bundled {@code application.yaml} with the defaults.
 */
public final class GatewayConfig {
    private GatewayConfig() {
    }

    /**
     * Load configuration.
     *
     * @param userFile path of a YAML (or properties) file layered over the defaults; {@code null} or blank for none
     * @return configuration
     * @throws IllegalArgumentException when the user file does not exist
     */
    public static Config load(String userFile) {
        Config.Builder builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.environmentVariables())
                .addSource(ConfigSources.systemProperties());
        if (userFile != null && !userFile.isBlank()) {
            Path path = Path.of(userFile);
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("Configuration file " + path.toAbsolutePath() + " does not exist");
            }
            builder.addSource(ConfigSources.file(path));
        }
        return builder.addSource(ConfigSources.classpath("application.yaml"))
                .build();
    }
}
