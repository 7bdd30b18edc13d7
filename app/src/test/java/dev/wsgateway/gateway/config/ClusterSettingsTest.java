package dev.wsgateway.gateway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code gateway.cluster}: the cluster view is off by default; on, it needs a secret of at least 32 bytes from a file
 * or an environment variable, or the start fails with one line that never shows the secret.
 */
class ClusterSettingsTest {
    private static final String SECRET = "a-cluster-secret-of-more-than-32-bytes";

    @Test
    void offByDefaultWithoutASecret() {
        ClusterSettings settings = read("peer-timeout: PT1S", Map.of());
        assertThat(settings.enabled(), is(false));
        assertThat(settings.secret().length, is(0));
        assertThat(settings.tls(), is(false));
        assertThat(settings.maxAnswerBytes(), is(8 * 1024 * 1024));
    }

    @Test
    void enabledWithoutASecretOrWithAShortOneFailsTheStart() {
        assertThat(fails("enabled: true", Map.of()), is("gateway.cluster.enabled is true but the cluster secret is not "
                + "set: set gateway.cluster.secret-file or gateway.cluster.secret-env to at least 32 bytes, the same "
                + "on every gateway of the cluster"));
        assertThat(fails("enabled: true\nsecret-env: SHORT", Map.of("SHORT", "too-short")),
                   containsString("shorter than 32 bytes"));
        assertThat(fails("enabled: true\nsecret-env: UNSET", Map.of()),
                   is("gateway.cluster.secret-env: environment variable UNSET is not set"));
        assertThat(fails("enabled: true\nsecret-file: /nonexistent/secret", Map.of()),
                   is("gateway.cluster.secret-file /nonexistent/secret cannot be read (NoSuchFileException)"));
    }

    @Test
    void theSecretComesFromAFileOrTheEnvironmentAndIsNeverShown() throws Exception {
        Path file = Files.createTempFile("secret", ".txt");
        try {
            Files.writeString(file, SECRET + "\n");
            ClusterSettings fromFile = read("enabled: true\nsecret-file: " + file, Map.of());
            assertThat(new String(fromFile.secret()), is(SECRET));
            assertThat(fromFile.toString(), not(containsString(SECRET)));
            ClusterSettings fromEnv = read("enabled: true\nsecret-env: GW_SECRET", Map.of("GW_SECRET", SECRET));
            assertThat(new String(fromEnv.secret()), is(SECRET));
            assertThat(fails("enabled: true\nsecret-env: GW_SECRET\nsecret-file: " + file, Map.of("GW_SECRET", SECRET)),
                       is("gateway.cluster: set secret-file or secret-env, not both"));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String fails(String yaml, Map<String, String> env) {
        return assertThrows(IllegalArgumentException.class, () -> read(yaml, env)).getMessage();
    }

    private static ClusterSettings read(String yaml, Map<String, String> env) {
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create("cluster:\n  " + yaml.replace("\n", "\n  ") + "\n",
                                                MediaTypes.APPLICATION_X_YAML))
                .build();
        return ClusterSettings.create(config.get("cluster"), env::get);
    }
}
